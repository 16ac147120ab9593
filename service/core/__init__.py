"""Shared plumbing: configuration, database, outbox, errors, authentication, i18n, time."""
