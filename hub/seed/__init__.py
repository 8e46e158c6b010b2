"""Seed data (catalog, providers, demo holders) and its loader.

The YAML files beside this module are the district's data; `loader` puts them
into the database, `inventory` turns schedules into bookable slots, and
`python -m hub.seed check` validates the files after an edit.
"""
