"""Service requests: a catalog form for the `request` areas (housing, training,
startup, subsidies, visa and residence, sports, and any added later)."""
