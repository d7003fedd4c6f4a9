"""The live monitoring wall (盯盘数据化, DESIGN §10): snapshots, events, dimensions, peer distributions, pushes."""
