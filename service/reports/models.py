"""Reports own no tables: they read the other domains' rows, which stay the single truth."""
