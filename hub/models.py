"""Every mapped class, imported in one place for Alembic and `create_all`."""

from hub.applications.models import Application
from hub.bookings.models import Booking, InventorySlot
from hub.catalog.models import Offering, Provider, ServiceArea
from hub.chat.models import ChatMessage
from hub.db import Base
from hub.holders.models import Child, Holder, Steward
from hub.reminders.models import Reminder
from hub.service_requests.models import ServiceRequest
from hub.stewards.models import AuditEntry, Escalation, StewardPresence

__all__ = [
    "Application",
    "AuditEntry",
    "Base",
    "Booking",
    "ChatMessage",
    "Child",
    "Escalation",
    "Holder",
    "InventorySlot",
    "Offering",
    "Provider",
    "Reminder",
    "ServiceArea",
    "ServiceRequest",
    "Steward",
    "StewardPresence",
]
