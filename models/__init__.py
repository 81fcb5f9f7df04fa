"""SQLModel tables and the queries that belong to them. Importing this package registers every table."""

from models.approval import Approval, ApprovalStep
from models.audit import AuditEntry
from models.chat_message import ChatMessage
from models.processed_event import ProcessedEvent
from models.requirement import Requirement, RequirementMarket
from models.score import MarketWeight, RequirementScore, ScoreEntry, ScoreMarket
from models.workspace import Counter, Member, Workspace

__all__ = [
    "Approval",
    "ApprovalStep",
    "AuditEntry",
    "ChatMessage",
    "Counter",
    "MarketWeight",
    "Member",
    "ProcessedEvent",
    "Requirement",
    "RequirementMarket",
    "RequirementScore",
    "ScoreEntry",
    "ScoreMarket",
    "Workspace",
]
