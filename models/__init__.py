"""SQLModel tables and the queries that belong to them. Importing this package registers every table."""

from models.audit import AuditEntry
from models.chat_message import ChatMessage
from models.indicator import Figure, FigureToken, RiskAlert, RiskWatch
from models.processed_event import ProcessedEvent
from models.requirement import Requirement, RequirementMarket
from models.risk import Risk, RiskMarket, RiskScore
from models.risk_mitigation import RiskMitigation, RiskPlaybook
from models.workspace import Counter, Member, Workspace

__all__ = [
    "AuditEntry",
    "ChatMessage",
    "Counter",
    "Figure",
    "FigureToken",
    "Member",
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
    "Workspace",
]
