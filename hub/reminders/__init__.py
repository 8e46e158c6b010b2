"""Appointment reminders that are never lost.

The `reminders` table is the source of truth: one row per reminder, with its
state (scheduled, delivered, failed, skipped, cancelled). APScheduler keeps one
job per scheduled row in the hub database (job id = reminder id), and the
scheduler reconciles the two at every start, so a crash between a commit and a
job write loses nothing.
"""
