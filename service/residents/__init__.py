"""Residents and their help requests: intake, triage, matching, scheduling, privacy."""
