"""Accounts: organizations, users, memberships and API tokens."""
