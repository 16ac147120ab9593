"""Event series: recurring activities materialised as events for a rolling horizon."""
