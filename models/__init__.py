"""SQLModel tables and the queries that belong to them. Importing this package registers every table."""

from models.audit import AuditEntry
from models.chat_message import ChatMessage
from models.cost import CostLane, Sku
from models.experiment import Experiment
from models.experiment_result import ExperimentDaily, ExperimentTotal
from models.fx import FxRate, MoneySetting
from models.indicator import Figure, FigureToken, RiskAlert, RiskWatch
from models.launch_check import LaunchCheck, MarketLaunch
from models.market_profile import MarketCheckItem, MarketProfile
from models.processed_event import ProcessedEvent
from models.requirement import Requirement, RequirementMarket
from models.risk import Risk, RiskMarket, RiskScore
from models.risk_mitigation import RiskMitigation, RiskPlaybook
from models.supplier import Supplier, SupplierScore, SupplierWeight
from models.supplier_link import SupplierLink
from models.workspace import Counter, Member, Workspace

__all__ = [
    "AuditEntry",
    "ChatMessage",
    "CostLane",
    "Counter",
    "Experiment",
    "ExperimentDaily",
    "ExperimentTotal",
    "Figure",
    "FigureToken",
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
    "Risk",
    "RiskAlert",
    "RiskMarket",
    "RiskMitigation",
    "RiskPlaybook",
    "RiskScore",
    "RiskWatch",
    "Sku",
    "Supplier",
    "SupplierLink",
    "SupplierScore",
    "SupplierWeight",
    "Workspace",
]
