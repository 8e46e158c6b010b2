"""The Talent Card hub: the system of record behind the concierge."""
