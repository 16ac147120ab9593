"""Reports change nothing, so they emit no domain events."""
