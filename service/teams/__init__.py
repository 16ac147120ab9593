"""Teams of volunteers in a community."""
