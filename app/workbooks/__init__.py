"""The Excel submission template: a unit's workbook to fill in, the cycle's ZIP of them, and the upload."""
