"""Custom actions for the Talent Card Concierge.

The action server (`rasa run actions --actions bot.actions`) imports every module
of this package and registers the Action classes it finds: one module per
feature, plus the shared hub client and pure helpers.
"""
