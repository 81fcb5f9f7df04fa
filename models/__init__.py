"""SQLModel tables and the queries that belong to them. Importing this package registers every table."""

from models.approvals.approval import Approval, ApprovalStep
from models.audit import AuditEntry
from models.chat_message import ChatMessage
from models.costs.cost import CostLane, Sku
from models.costs.fee_override import FeeOverride
from models.costs.fx import FxRate, MoneySetting
from models.digest.run import DigestRun
from models.digest.schedule import DigestChannel, DigestSkip
from models.experiments.experiment import Experiment
from models.experiments.result import ExperimentDaily, ExperimentTotal
from models.job_claim import JobClaim
from models.markets.launch_check import LaunchCheck, MarketLaunch
from models.markets.profile import MarketCheckItem, MarketProfile
from models.outbox import Outbox, RateSlot
from models.processed_event import ProcessedEvent
from models.request_claim import RequestClaim
from models.requirements.requirement import Requirement, RequirementMarket
from models.risks.indicator import Figure, FigureToken, RiskAlert, RiskWatch
from models.risks.mitigation import RiskMitigation, RiskPlaybook
from models.risks.risk import Risk, RiskMarket, RiskScore
from models.scoring.budget import ScoreBudget
from models.scoring.score import MarketWeight, RequirementScore, ScoreEntry, ScoreMarket
from models.slack_install import slack_bots, slack_installations, slack_oauth_states
from models.standup.answer import StandupAnswer
from models.standup.questions import StandupQuestions
from models.suppliers.link import SupplierLink
from models.suppliers.supplier import Supplier, SupplierScore, SupplierWeight
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
    "FeeOverride",
    "Figure",
    "FigureToken",
    "FxRate",
    "JobClaim",
    "LaunchCheck",
    "MarketCheckItem",
    "MarketLaunch",
    "MarketProfile",
    "MarketWeight",
    "Member",
    "MoneySetting",
    "Outbox",
    "ProcessedEvent",
    "RateSlot",
    "RequestClaim",
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
    "ScoreBudget",
    "ScoreEntry",
    "ScoreMarket",
    "Sku",
    "StandupAnswer",
    "StandupQuestions",
    "Supplier",
    "SupplierLink",
    "SupplierScore",
    "SupplierWeight",
    "Workspace",
    "slack_bots",
    "slack_installations",
    "slack_oauth_states",
]
