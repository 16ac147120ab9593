"""Rotations: availability-aware, fair rotation plans and their publication."""
