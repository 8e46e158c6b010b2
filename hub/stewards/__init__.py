"""Stewards take over what the bot cannot or should not handle (issue 5).

`models` holds escalations and the audit log, `service` their rules,
`office_hours` when a person is there to answer, `auth` the staff login,
`api` the staff console's HTTP API and `service_api` the bot's way in.
"""
