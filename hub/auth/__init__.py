"""Holder login, bearer tokens, PIN and password hashing."""
