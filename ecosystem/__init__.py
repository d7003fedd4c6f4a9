"""The ecosystem report and the 造风者 programme (DESIGN §13), on rollups."""
