"""Every mapped class, imported in one place for Alembic and `create_all`."""

from hub.bookings.models import Booking, InventorySlot
from hub.catalog.models import Offering, Provider, ServiceArea
from hub.chat.models import ChatMessage
from hub.db import Base
from hub.holders.models import Child, Holder, Steward
from hub.reminders.models import Reminder

__all__ = [
    "Base",
    "Booking",
    "ChatMessage",
    "Child",
    "Holder",
    "InventorySlot",
    "Offering",
    "Provider",
    "Reminder",
    "ServiceArea",
    "Steward",
]
