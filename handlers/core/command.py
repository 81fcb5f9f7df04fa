"""The platform-neutral command and action table every front end dispatches through."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from handlers.core.args import Args, ParseError, known_key, normalise_word, parse
from handlers.core.card import Code
from handlers.core.reply import Attachment, Reply, UsageError

UMBRELLA = "pm"
UNKNOWN = frozenset({"args.unknown_command", "args.unknown_subcommand"})
NEAR_CUTOFF = 0.75  # difflib ratio of the differing words: `lst` → `list` 0.86, `nope` → `lane` 0.5


@dataclass(frozen=True)
class Actor:
    """Who is asking, resolved from the platform's ids to our own rows."""

    workspace_id: int
    member_id: int
    platform: str
    user_ref: str
    name: str | None
    role: str
    lang: str
    tz: str


@dataclass(frozen=True)
class CommandInput:
    actor: Actor
    slug: str
    args: Args
    channel_ref: str | None = None
    text: str = ""  # what followed the command's words, unparsed (Slack-escaped), for free_text commands


@dataclass(frozen=True)
class ActionInput:
    actor: Actor
    action: str
    payload: dict[str, Any]
    form: dict[str, Any] | None = None  # the submitted values of a form, flattened by field name
    channel_ref: str | None = None
    files: tuple[Attachment, ...] = ()  # fetched by the front end (see FetchFiles)


CommandHandler = Callable[[CommandInput, Session], Reply]
ActionHandler = Callable[[ActionInput, Session], Reply]


@dataclass(frozen=True)
class CommandSpec:
    slug: str  # "req add": the words that select it
    handler: CommandHandler
    usage: str  # catalogue key of its usage line
    summary: str | None = None  # catalogue key of its line in /pm help; None keeps it out of help
    keys: frozenset[str] = frozenset()  # option keys it takes; "reach.*" admits any reach.<suffix>
    changes_people: bool = False  # it changes someone's language, time zone or role
    aliases: tuple[str, ...] = ()
    free_text: bool = False  # it parses its own grammar from CommandInput.text (args holds only words)

    def check_keys(self, args: Args) -> None:
        for key in args.options:
            if known_key(key, self.keys):
                continue
            near = difflib.get_close_matches(key, sorted(self.keys), n=1)
            if near:
                raise UsageError("args.unknown_key_near", self.usage, name=key, near=near[0])
            raise UsageError("args.unknown_key", self.usage, name=key, known=", ".join(sorted(self.keys)))


@dataclass(frozen=True)
class ActionSpec:
    action: str
    handler: ActionHandler


@dataclass
class Resolved:
    spec: CommandSpec
    args: Args
    text: str = ""


@dataclass
class Registry:
    commands: list[CommandSpec] = field(default_factory=list)
    actions: dict[str, ActionSpec] = field(default_factory=dict)

    @classmethod
    def build(cls, commands: Iterable[CommandSpec], actions: Iterable[ActionSpec]) -> Registry:
        registry = cls()
        seen: set[str] = set()
        for spec in commands:
            for slug in (spec.slug, *spec.aliases):
                if slug in seen:
                    raise ValueError(f"command {slug!r} registered twice")
                seen.add(slug)
            registry.commands.append(spec)
        for action in actions:
            if action.action in registry.actions:
                raise ValueError(f"action {action.action!r} registered twice")
            registry.actions[action.action] = action
        # Longest slug first, so that "req add" is tried before "req".
        registry.commands.sort(key=lambda s: -len(s.slug.split()))
        return registry

    @property
    def roots(self) -> list[str]:
        return sorted({spec.slug.split()[0] for spec in self.commands})

    def resolve(self, root: str, text: str) -> Resolved:
        """Find the command for `/root text`; `/pm <root> ...` works like `/<root> ...`."""
        root = normalise_word(root.lstrip("/"))
        if not root:
            raise UsageError("args.no_command", None, example=Code("/req list"), help=Code("/pm help"))
        head = text.strip().split(maxsplit=1)
        if root == UMBRELLA and head and normalise_word(head[0]) in self.roots and normalise_word(head[0]) != root:
            root, text = normalise_word(head[0]), head[1] if len(head) > 1 else ""
        words = text.split()
        folded = [normalise_word(w) for w in words]
        candidates = [(spec, slug) for spec in self.commands for slug in (spec.slug, *spec.aliases)]
        candidates.sort(key=lambda pair: -len(pair[1].split()))
        for spec, slug in candidates:
            slug_words = slug.split()
            if slug_words[0] != root:
                continue
            tail = slug_words[1:]
            if folded[: len(tail)] == tail:
                rest = _drop_words(text, len(tail))
                if spec.free_text:
                    return Resolved(spec, Args(words=rest.split()), rest)
                try:
                    args = parse(rest, colon_keys=spec.keys)
                except ParseError as err:
                    raise UsageError(err.key, spec.usage, **err.params) from err
                spec.check_keys(args)
                return Resolved(spec, args, rest)
        raise UsageError("args.unknown_command", None, command=Code(f"/{root}"))

    def near(self, root: str, text: str) -> str | None:
        """The command someone most likely meant by `/root text` (`/pm reqq list` → `req list`), or None.

        Words are compared after the ones that match exactly: `cost nope` is not near `cost lane`."""
        words = [normalise_word(w) for w in [root.lstrip("/"), *text.split()] if w]
        typed = [words]
        if words and words[0] == UMBRELLA:
            typed.append(words[1:])
        best: tuple[float, int, str] | None = None
        for spec in self.commands:
            for slug in (spec.slug, *spec.aliases):
                wanted = slug.split()
                for form in typed:
                    attempt = form[: len(wanted)]
                    if len(attempt) < len(wanted) or attempt == wanted:
                        continue  # too short, or what was typed: no suggestion
                    same = next(i for i, (a, b) in enumerate(zip(attempt, wanted, strict=True)) if a != b)
                    ratio = difflib.SequenceMatcher(None, " ".join(attempt[same:]), " ".join(wanted[same:])).ratio()
                    if ratio >= NEAR_CUTOFF and (best is None or (ratio, len(wanted)) > best[:2]):
                        best = (ratio, len(wanted), spec.slug)
        return best[2] if best else None

    def did_you_mean(self, err: UsageError, root: str, text: str) -> UsageError:
        """An unknown command's refusal, with the nearest real command when there is one."""
        near = self.near(root, text)
        typed = " ".join(w for w in [root.lstrip("/"), *text.split()[:2]] if w)[:40]
        if near is None:
            return UsageError("args.unknown_typed", err.usage, typed=Code(f"/{typed}"), help=Code("/pm help"))
        return UsageError("args.unknown_near", None, typed=Code(f"/{typed}"), near=Code(f"/{near}"))

    def action(self, name: str) -> ActionSpec | None:
        return self.actions.get(name)


def _drop_words(text: str, count: int) -> str:
    rest = text.strip()
    for _ in range(count):
        parts = rest.split(maxsplit=1)
        rest = parts[1] if len(parts) > 1 else ""
    return rest
