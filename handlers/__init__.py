"""Platform-neutral features: one module per feature, each listing its COMMANDS and ACTIONS."""

from handlers import costs, experiments, fx, markets, pm, requirements, risks, suppliers
from handlers.core.command import Registry

FEATURES = (requirements, pm, risks, experiments, costs, fx, suppliers, markets)

JOBS = [job for feature in FEATURES for job in feature.JOBS]

REGISTRY = Registry.build(
    commands=[spec for feature in FEATURES for spec in feature.COMMANDS],
    actions=[spec for feature in FEATURES for spec in feature.ACTIONS],
)
