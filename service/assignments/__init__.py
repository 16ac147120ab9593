"""Assignments: sign-ups, coordinator assignments, accept, decline, waitlists."""
