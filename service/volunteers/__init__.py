"""Volunteers: profiles, skills, languages and limits."""
