"""Standard operating plans and reviews (操盘标准化, DESIGN §12) and the public operator record."""
