"""Swaps and cover: a volunteer hands a place to an eligible colleague, fairest first."""
