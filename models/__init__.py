"""SQLModel tables and the queries that belong to them. Importing this package registers every table."""

from models.audit import AuditEntry
from models.chat_message import ChatMessage
from models.cost import CostLane, Sku
from models.fx import FxRate, MoneySetting
from models.market_profile import LaunchCheck, MarketCheckItem, MarketLaunch, MarketProfile
from models.processed_event import ProcessedEvent
from models.requirement import Requirement, RequirementMarket
from models.supplier import Supplier, SupplierLink, SupplierScore, SupplierWeight
from models.workspace import Counter, Member, Workspace

__all__ = [
    "AuditEntry",
    "ChatMessage",
    "CostLane",
    "Counter",
    "FxRate",
    "LaunchCheck",
    "MarketCheckItem",
    "MarketLaunch",
    "MarketProfile",
    "Member",
    "MoneySetting",
    "ProcessedEvent",
    "Requirement",
    "RequirementMarket",
    "Sku",
    "Supplier",
    "SupplierLink",
    "SupplierScore",
    "SupplierWeight",
    "Workspace",
]
