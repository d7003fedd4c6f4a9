"""Pages people use: the provider portal and the staff console (server-rendered, no JS but progress)."""
