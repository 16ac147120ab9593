"""Calendars: iCal feeds with their own secret tokens, and e-mail invitations."""
