"""Activities: activity types, events and their positions."""
