"""/pm help: what a PM does with Tradewind, task by task, one worked example per command."""

from __future__ import annotations

from handlers.core.card import Card, Code, Header, Note, Row, Rows
from handlers.core.reply import Reply, Text

# (task, the commands shown for it); each command's example and what it does are in the catalogue
# as help.<command>.usage and help.<command>.what. Each feature's own `/<root> help` lists everything.
TASKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("log", ("req_add", "req_list", "req_search", "req_edit", "req_export")),
    ("rank", ("score", "score_top", "markets")),
    ("approve", ("submit", "role", "status")),
    ("risks", ("risk_add", "risk_list", "risk_watch")),
    ("experiments", ("exp_add", "exp_result", "exp_list")),
    ("costs", ("cost_add", "cost_show", "supplier", "market", "fx")),
    ("digest", ("digest_schedule", "standup", "digest_preview")),
    ("you", ("lang", "tz", "audit")),
)
CONSOLE_ONLY = {"approve": ("as",)}  # commands the console adds to a task
AREAS = ("/req", "/score", "/risk", "/exp", "/cost", "/supplier", "/market", "/digest", "/standup")


def guide(platform: str) -> Reply:
    parts: list[Rows | Note] = []
    for task, names in TASKS:
        shown = names + (CONSOLE_ONLY.get(task, ()) if platform == "console" else ())
        rows = tuple(Row((Code(Text(f"help.{name}.usage")), " — ", Text(f"help.{name}.what"))) for name in shown)
        parts.append(Rows(rows, title=Text(f"help.task.{task}")))
    areas = "  ·  ".join(f"{root} help" for root in AREAS)
    parts.append(Note((Text("help.areas", {"areas": Code(areas)}),)))
    title = Text("pm.help.title")
    return Reply("help", card=Card(summary=title, header=Header(title), parts=tuple(parts)))
