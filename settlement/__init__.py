"""Revenue settlement (收益线上化, DESIGN §11): agreements, statements, books, payouts."""
