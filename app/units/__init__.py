"""Member units (成员单位) of a committee."""
