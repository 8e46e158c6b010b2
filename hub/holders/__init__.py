"""Holders, their cards and children, and the stewards assigned to them."""
