"""The minimal web chat page served at `/`."""
