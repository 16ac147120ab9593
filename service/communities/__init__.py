"""Communities: the neighbourhoods served, each in its time zone."""
