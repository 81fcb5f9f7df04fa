"""SQLModel tables and the queries that belong to them. Importing this package registers every table."""

from models.audit import AuditEntry
from models.chat_message import ChatMessage
from models.cost import CostLane, Sku
from models.fx import FxRate, MoneySetting
from models.launch_check import LaunchCheck, MarketLaunch
from models.market_profile import MarketCheckItem, MarketProfile
from models.processed_event import ProcessedEvent
from models.requirement import Requirement, RequirementMarket
from models.supplier import Supplier, SupplierScore, SupplierWeight
from models.supplier_link import SupplierLink
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
