"""Platform-neutral features: one module per feature, each listing its COMMANDS and ACTIONS."""

from handlers import (
    access,
    approval_forms,
    approvals,
    audit_log,
    costs,
    experiments,
    fx,
    markets,
    pm,
    ranking,
    requirements,
    risks,
    scoring,
    suppliers,
)
from handlers.core.command import Registry

FEATURES = (
    requirements,
    pm,
    scoring,
    ranking,
    approvals,
    approval_forms,
    access,
    audit_log,
    risks,
    experiments,
    costs,
    fx,
    suppliers,
    markets,
)

JOBS = [job for feature in FEATURES for job in feature.JOBS]

REGISTRY = Registry.build(
    commands=[spec for feature in FEATURES for spec in feature.COMMANDS],
    actions=[spec for feature in FEATURES for spec in feature.ACTIONS],
)
