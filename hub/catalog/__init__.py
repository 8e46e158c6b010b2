"""The service catalog (12 areas, as YAML data), providers and what they offer."""
