"""Reports: counts and loads for coordinators, read from the other domains' tables."""
