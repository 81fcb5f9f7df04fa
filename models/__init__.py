"""SQLModel tables and the queries that belong to them. Importing this package registers every table."""

from models.audit import AuditEntry
from models.chat_message import ChatMessage
from models.digest import DigestChannel, DigestSkip
from models.digest_run import DigestRun
from models.processed_event import ProcessedEvent
from models.requirement import Requirement, RequirementMarket
from models.standup import StandupAnswer
from models.workspace import Counter, Member, Workspace

__all__ = [
    "AuditEntry",
    "ChatMessage",
    "Counter",
    "DigestChannel",
    "DigestRun",
    "DigestSkip",
    "Member",
    "ProcessedEvent",
    "Requirement",
    "RequirementMarket",
    "StandupAnswer",
    "Workspace",
]
