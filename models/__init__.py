"""SQLModel tables and the queries that belong to them. Importing this package registers every table."""

from models.audit import AuditEntry
from models.chat_message import ChatMessage
from models.experiment import Experiment
from models.experiment_result import ExperimentDaily, ExperimentTotal
from models.processed_event import ProcessedEvent
from models.requirement import Requirement, RequirementMarket
from models.workspace import Counter, Member, Workspace

__all__ = [
    "AuditEntry",
    "ChatMessage",
    "Counter",
    "Experiment",
    "ExperimentDaily",
    "ExperimentTotal",
    "Member",
    "ProcessedEvent",
    "Requirement",
    "RequirementMarket",
    "Workspace",
]
