"""SQLModel tables and the queries that belong to them. Importing this package registers every table."""

from models.approval import Approval, ApprovalStep
from models.audit import AuditEntry
from models.chat_message import ChatMessage
from models.cost import CostLane, Sku
from models.digest import DigestChannel, DigestSkip
from models.digest_run import DigestRun
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
from models.score import MarketWeight, RequirementScore, ScoreEntry, ScoreMarket
from models.standup import StandupAnswer
from models.supplier import Supplier, SupplierScore, SupplierWeight
from models.supplier_link import SupplierLink
from models.workspace import Counter, Member, Workspace

__all__ = [
    "Approval",
    "ApprovalStep",
    "AuditEntry",
    "ChatMessage",
    "CostLane",
    "Counter",
    "DigestChannel",
    "DigestRun",
    "DigestSkip",
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
    "MarketWeight",
    "Member",
    "MoneySetting",
    "ProcessedEvent",
    "Requirement",
    "RequirementMarket",
    "RequirementScore",
    "Risk",
    "RiskAlert",
    "RiskMarket",
    "RiskMitigation",
    "RiskPlaybook",
    "RiskScore",
    "RiskWatch",
    "ScoreEntry",
    "ScoreMarket",
    "Sku",
    "StandupAnswer",
    "Supplier",
    "SupplierLink",
    "SupplierScore",
    "SupplierWeight",
    "Workspace",
]
