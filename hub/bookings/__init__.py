"""Inventory and bookings: availability, atomic capacity, reference codes."""
