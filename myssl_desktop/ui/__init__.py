"""Everything Qt lives here; nothing outside this package imports Qt."""
