"""The local console: the same commands as Slack and Lark, typed in a terminal, drawn as text.

Buttons are shown as numbered choices ([1] Triage [2] Reject); typing the number presses it.
Forms are asked field by field. `/as @sam` (the console only) switches who is typing, so that one
person can rehearse a whole team: submit as the PM, approve as the approver.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.console.notifier import ConsoleNotifier
from bot.console.screen import PAGE_LINES, Drawn, Screen, changed_lines
from bot.effects import EffectRunner, Where
from bot.render.inline import Drawer
from bot.render.text import TextRenderer
from bot.render.viewer import Viewer
from bot.runtime import Caller, Outcome, Runtime
from handlers.core.reply import Attachment, Button, FetchFiles, FileRef, Form, FormField, OpenForm, Reply, Text

CONSOLE_TEAM = "console"
CONSOLE_CHANNEL = "console"
EXIT_WORDS = frozenset({"exit", "quit", ":q", "/exit", "/quit"})
MENTION = re.compile(r"(?<![\w<@&])@([\w.\-]+)")
ACT_AS = "as"  # `/as @sam`: who is typing from now on
ACT_AS_NAME = re.compile(r"^@?([\w.\-]{1,64})$")
PROMPT = "tradewind> "
MORE_WORDS = frozenset({"more", "更多"})  # the next screenful of a long card
FULL_WORDS = frozenset({"full", "全部"})  # the last card whole, however it was shortened
MAX_FILE_BYTES = 20 * 1024 * 1024


class Console:
    def __init__(
        self,
        runtime: Runtime,
        *,
        user: str,
        team: str = CONSOLE_TEAM,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        interactive: bool = False,
    ) -> None:
        self.runtime = runtime
        self.user = user
        self.team = team
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.interactive = interactive
        self.renderer = TextRenderer()
        self.buttons: list[Button] = []
        self.last_kind: str | None = None  # the kind of reply printed last
        self.screen = Screen()
        self.kinds_drawn: set[str] = set()  # every reply kind printed in this session
        self.viewer = Viewer(runtime.default_lang, runtime.default_tz)
        self.effects = EffectRunner(ConsoleNotifier(self), runtime.engine)

    @property
    def caller(self) -> Caller:
        return Caller(
            platform="console",
            team_ref=self.team,
            user_ref=self.user,
            user_name=self.user,
            channel_ref=CONSOLE_CHANNEL,
        )

    def run(self) -> None:
        self.say(self.renderer.t(self.viewer, "console.welcome", user=self.user))
        while True:
            line = self.ask(PROMPT)
            if line is None or line.strip().lower() in EXIT_WORDS:
                return
            self.handle(line)

    def handle(self, line: str) -> None:
        text = line.strip()
        if not text:
            return
        if text.isdigit():
            self.press(int(text))
            return
        if text.lower() in MORE_WORDS | FULL_WORDS:
            self.page(text.lower())
            return
        root, _, rest = text.lstrip("/").partition(" ")
        if text.startswith("/") and root.lower() == ACT_AS:
            self.act_as(rest.strip())
            return
        self.show(self.runtime.command(self.caller, root, canonical(rest)))

    def act_as(self, who: str) -> None:
        """Type as someone else of the same workspace from now on (their role, language and DMs)."""
        found = ACT_AS_NAME.match(who)
        if found is None:
            self.say(self.renderer.t(self.viewer, "console.as_usage", user=self.user))
            return
        self.user = found.group(1)
        self.say(self.renderer.t(self.viewer, "console.as_now", user=self.user))

    def press(self, number: int) -> None:
        if not 1 <= number <= len(self.buttons):
            self.say(self.renderer.t(self.viewer, "common.choose"))
            return
        button = self.buttons[number - 1]
        self.show(self.runtime.action(self.caller, button.action, button.payload), pressed=True)

    def show(self, outcome: Outcome, *, pressed: bool = False) -> None:
        """Print an answer; one that updates a card printed before (it says so, or a button on it was
        pressed) prints only what changed."""
        self.viewer = outcome.viewer
        reply = outcome.reply
        if reply.kind != "silent":
            self.draw(reply, outcome.viewer, short=True, pressed=pressed)
        where = Where(
            workspace_id=outcome.actor.workspace_id if outcome.actor else None,
            user_ref=self.user,
            channel_ref=CONSOLE_CHANNEL,
        )
        for effect in reply.effects:
            if isinstance(effect, OpenForm):
                self.fill(effect.form)
            elif isinstance(effect, FetchFiles):
                self.fetch(effect)
            else:
                self.effects.run(effect, outcome.viewer, where)

    def fetch(self, effect: FetchFiles) -> None:
        """Attached files are paths on this computer: read them, then run the action with them."""
        files = []
        for ref in effect.files:
            path = Path(ref.url).expanduser()
            if not path.is_file():
                self.say(self.renderer.t(self.viewer, "files.not_found", name=ref.url))
                return
            if path.stat().st_size > MAX_FILE_BYTES:
                self.say(self.renderer.t(self.viewer, "files.too_big", name=ref.url, max_mb=MAX_FILE_BYTES >> 20))
                return
            files.append(Attachment(ref.name, path.read_bytes()))
        self.show(self.runtime.action(self.caller, effect.action, effect.payload, files=tuple(files)))

    def draw(
        self, reply: Reply, viewer: Viewer, prefix: str = "", *, short: bool = False, pressed: bool = False
    ) -> None:
        """Print a reply (`short`: only what changed, when it updates a card printed before), a screenful
        at a time; its buttons become the ones the numbers press."""
        drawn = self._drawn(reply, viewer)
        before = self.screen.remember(drawn)
        t: Callable[..., str] = lambda key, **p: self.renderer.t(viewer, key, **p)  # noqa: E731
        whole = [*drawn.notice, *drawn.body]
        if short and before is not None and (drawn.notice or pressed):
            changed, same = changed_lines(before, drawn.body)
            if not drawn.notice and drawn.header is not None and changed[:1] != [drawn.header]:
                changed.insert(0, drawn.header)  # which card changed, when nothing else says
                same -= 1
            lines = [*drawn.notice, *changed]
            if same:
                lines.append(t("console.unchanged", n=same))
            self.screen.last_full, self.screen.pending = whole, []
        else:
            lines = self.screen.paged(whole)
            if self.screen.pending:
                lines.append(t("console.more", left=len(whole) - len(lines), page=2, pages=self.screen.page_count))
        if drawn.buttons is not None:
            lines.append(drawn.buttons)
        self.say(prefix + "\n".join(lines))
        self.last_kind = reply.kind
        self.kinds_drawn.add(reply.kind)
        if reply.buttons:
            self.buttons = list(reply.buttons)

    def _drawn(self, reply: Reply, viewer: Viewer) -> Drawn:
        card = reply.card
        if card is None:
            return Drawn(reply.kind, (), (), self.renderer.buttons(reply, viewer), None)
        draw = Drawer(self.renderer.catalog, viewer.lang, viewer.tz)
        drawn = self.renderer.lines(card, draw)
        split = len(card.notice)
        notice = tuple("\n".join(drawn[:split]).split("\n")) if split else ()
        body = tuple("\n".join(drawn[split:]).split("\n")) if drawn[split:] else ()
        header = body[0] if card.header is not None and body else None
        return Drawn(reply.kind, notice, body, self.renderer.buttons(reply, viewer), header)

    def page(self, word: str) -> None:
        """`more`: the next screenful of the last long card; `full`: the last card whole."""
        if word in FULL_WORDS:
            self.say("\n".join(self.screen.paged(self.screen.last_full)) if self.screen.last_full else "")
            if self.screen.pending:
                left = len(self.screen.last_full) - PAGE_LINES
                self.say(self.renderer.t(self.viewer, "console.more", left=left, page=2, pages=self.screen.page_count))
            return
        found = self.screen.next_page()
        if found is None:
            self.say(self.renderer.t(self.viewer, "console.no_more"))
            return
        lines, number = found
        if self.screen.pending:
            left = sum(len(p) for p in self.screen.pending)
            lines = [
                *lines,
                self.renderer.t(self.viewer, "console.more", left=left, page=number + 1, pages=self.screen.page_count),
            ]
        self.say("\n".join(lines))

    def fill(self, form: Form) -> None:
        """Ask for each field; on a refused submission ask again for the refused fields only."""
        t: Callable[..., str] = lambda key, **p: self.renderer.t(self.viewer, key, **p)  # noqa: E731
        self.say(f"{t('common.form_opened', title=t(form.title))} {t('common.form_prompt_hint')}")
        values: dict[str, object] = {}
        pending = list(form.fields)
        while pending:
            for field in pending:
                answer = self._ask_field(field, t)
                if answer is None:
                    self.say(t("common.form_cancelled"))
                    return
                values[field.name] = answer
            outcome = self.runtime.action(self.caller, form.action, dict(form.metadata), form=values)
            errors = outcome.reply.form_errors
            if not errors:
                self.show(outcome)
                return
            for name, text in errors.items():
                self.say(f"! {name}: {self.renderer.t(outcome.viewer, text)}")
            pending = [f for f in form.fields if f.name in errors]

    def _ask_field(self, field: FormField, t: Callable[..., str]) -> object | None:
        """One field's answer. Enter alone keeps what the form was opened with (as a Slack modal does);
        a textarea takes several lines, each but the last ending with a backslash."""
        label = t(field.label) + ("*" if field.required else "")
        if field.options:
            choices = ", ".join(c.value for c in field.options)
            self.say(f"  {t('common.pick_from', options=choices)}")
        kept = _shown_initial(field.initial, "\n" if field.kind == "textarea" else ", ", t)
        if field.kind == "textarea":
            if kept:
                self.say(f"  {t('common.form_current')}")
                self.say("\n".join(f"    {line}" for line in kept.splitlines()))
            self.say(f"  {t('common.form_lines_hint')}")
        elif kept:
            self.say(f"  {t('common.form_filled', value=kept)}")
        raw = self.ask(f"{label}: ")
        if raw is None or raw.strip() == "-":
            return None
        lines = [raw]
        while field.kind == "textarea" and lines[-1].rstrip().endswith("\\"):
            lines[-1] = lines[-1].rstrip()[:-1]
            more = self.ask("... ")
            if more is None:
                return None
            lines.append(more)
        value = "\n".join(line.strip() for line in lines).strip()
        if not value and kept:
            return field.initial if field.kind == "multiselect" else kept
        if field.kind == "file":
            return [FileRef(Path(value).name, value)] if value else []
        if field.kind == "multiselect":
            return [v.strip() for v in re.split(r"[,，、\s]+", value) if v.strip()]
        return value

    def ask(self, prompt: str) -> str | None:
        if self.interactive:
            try:
                return input(prompt)
            except EOFError:
                return None
        self.stdout.write(prompt)
        line = self.stdin.readline()
        if not line:
            return None
        self.stdout.write(line if line.endswith("\n") else line + "\n")
        return line.rstrip("\n")

    def say(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()


def _shown_initial(initial: object, separator: str, t: Callable[..., str]) -> str:
    """A field's initial value as the console shows and keeps it ("" when there is none), its catalogue
    texts in the viewer's language."""
    if initial is None:
        return ""
    items = initial if isinstance(initial, list | tuple) else [initial]
    return separator.join(t(v) if isinstance(v, Text) else str(v) for v in items)


def canonical(text: str) -> str:
    """Typed text in the form Slack delivers: entities escaped, @name as a mention."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return MENTION.sub(lambda m: f"<@{m.group(1)}|{m.group(1)}>", escaped)
