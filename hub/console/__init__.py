"""The staff console: one static page, its script and stylesheet, at /console."""
