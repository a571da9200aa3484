"""The terminal screener (Textual): one record at a time, keyboard decisions, undo, progress.

Keys: i include · e exclude, then the reason's number · m maybe · u undo · n/p next/previous ·
q quit. Every key press is written to the review database at once (there is nothing to save),
so quitting or a crash loses nothing.

Run it with `litrev screen`; tests drive it with `ScreenerApp(...).run_test()`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from re import Pattern
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from litrev.screening.decisions import Screening
from litrev.screening.highlight import compile_terms
from litrev.screening.model import DecisionEvent, ExclusionReason, ScreeningError, Stage
from litrev.screening.queue import ScreeningQueue
from litrev.screening.texts import RecordText, record_texts

POSITIVE_STYLE = "bold black on yellow"
NEGATIVE_STYLE = "bold white on red"


class ReasonPicker(ModalScreen[str | None]):
    """Pick an exclusion reason by its number (with ten or more reasons, type the number and
    press Enter); Escape cancels."""

    DEFAULT_CSS = """
    ReasonPicker { align: center middle; }
    ReasonPicker > Static { width: 80%; border: thick $error; padding: 1 2; background: $surface; }
    """
    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, reasons: Sequence[ExclusionReason]) -> None:
        super().__init__()
        self.reasons = list(reasons)
        self.typed = ""

    def compose(self) -> ComposeResult:
        lines = [
            f"[b]{i}[/b]  {r.label}  [dim]({r.code})[/dim]" for i, r in enumerate(self.reasons, 1)
        ]
        how = "number" if len(self.reasons) < 10 else "number, then Enter"
        yield Static(
            "[b]Exclude: why?[/b]\n\n"
            + "\n".join(lines)
            + f"\n\n[dim]Type the {how}; Esc cancels[/dim]"
        )

    def on_key(self, event: Key) -> None:
        if event.character and event.character.isdigit():
            event.stop()
            self.typed += event.character
            if len(self.reasons) < 10:
                self._pick()
        elif event.key == "enter" and self.typed:
            event.stop()
            self._pick()

    def _pick(self) -> None:
        number, self.typed = int(self.typed), ""
        if 1 <= number <= len(self.reasons):
            self.dismiss(self.reasons[number - 1].code)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ScreenerApp(App[None]):
    """Screen `order` (record ids, best first) as `reviewer` at `stage`."""

    TITLE = "litrev screen"
    DONE_WORD = "decided"  # as in "you have decided 12/979"
    DEFAULT_CSS = """
    #progress { background: $boost; padding: 0 1; height: auto; }
    #record { padding: 1 2; }
    #title { text-style: bold; margin-bottom: 1; }
    #meta { color: $text-muted; margin-bottom: 1; }
    #votes { background: $boost; padding: 0 1; height: auto; }
    #message { color: $warning; padding: 0 1; height: auto; }
    """
    BINDINGS: ClassVar = [
        Binding("i", "decide('include')", "Include"),
        Binding("e", "exclude", "Exclude"),
        Binding("m", "decide('maybe')", "Maybe"),
        Binding("u", "undo", "Undo"),
        Binding("n", "move(1)", "Next"),
        Binding("p", "move(-1)", "Previous"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        screening: Screening,
        *,
        reviewer: str,
        stage: str | Stage = Stage.TITLE_ABSTRACT,
        order: Sequence[int] | None = None,
        terms: Sequence[str] = (),
        negative_terms: Sequence[str] = (),
        stopping: Callable[[], str | None] | None = None,
        queue: ScreeningQueue | None = None,
    ) -> None:
        super().__init__()
        self.screening = screening
        self.reviewer = reviewer
        self.stage = Stage(str(stage))
        self.queue = queue
        if queue is not None:
            order = queue.order()
            stopping = stopping or queue.stopping_message
        self.order = list(order) if order is not None else screening.eligible_records(self.stage)
        self.positive: Pattern[str] = compile_terms(terms)
        self.negative: Pattern[str] = compile_terms(negative_terms)
        self.stopping = stopping
        self.reasons = screening.reasons_for(self.stage)
        self.texts: dict[int, RecordText] = {}
        self.mine: dict[int, str] = {}
        self.position = 0
        self.message = ""
        self.estimate: str | None = None  # recomputed after each decision, not on paging

    # ----- layout -----

    def compose(self) -> ComposeResult:
        yield Static(id="progress")
        with VerticalScroll(id="record"), Vertical():
            yield Static(id="title")
            yield Static(id="meta")
            yield Static(id="abstract")
        yield Static(id="votes")
        yield Static(id="message")
        yield Footer()

    def _update_estimate(self) -> None:
        self.estimate = self.stopping() if self.stopping else None

    def on_mount(self) -> None:
        self._load_mine()
        self._update_estimate()
        undecided = [i for i, r in enumerate(self.order) if r not in self.mine]
        self.position = undecided[0] if undecided else 0
        self.refresh_view()

    # ----- state -----

    @property
    def record_id(self) -> int | None:
        return self.order[self.position] if self.order else None

    def _load_mine(self) -> None:
        from litrev.screening.model import current_decisions

        wanted = set(self.order)
        self.mine = {
            rid: e.decision + (f" ({e.reason})" if e.reason else "")
            for (rid, who), e in current_decisions(
                self.screening.events(self.stage, reviewer=self.reviewer)
            ).items()
            if who == self.reviewer and rid in wanted
        }

    def _text(self, record_id: int) -> RecordText:
        if record_id not in self.texts:
            # Load the neighbourhood in one query so paging stays instant on big reviews.
            window = self.order[max(0, self.position - 20) : self.position + 50]
            self.texts.update(record_texts(self.screening.store, [*window, record_id]))
        return self.texts.get(record_id, RecordText(record_id, None, None))

    def _highlight(self, text: str) -> Text:
        out = Text(text)
        out.highlight_regex(self.positive, style=POSITIVE_STYLE)
        out.highlight_regex(self.negative, style=NEGATIVE_STYLE)
        return out

    def refresh_view(self) -> None:
        total = len(self.order)
        done = len(self.mine)
        progress = (
            f"[b]{self.stage.value}[/b] · reviewer [b]{self.reviewer}[/b] · "
            f"record {self.position + 1 if total else 0} of {total} · "
            f"you have {self.DONE_WORD} {done}/{total} ({(100 * done / total) if total else 0:.0f}%)"
        )
        if self.estimate:
            progress += f"\n{self.estimate}"
        self.query_one("#progress", Static).update(progress)
        title, meta, abstract, votes = (
            self.query_one("#title", Static),
            self.query_one("#meta", Static),
            self.query_one("#abstract", Static),
            self.query_one("#votes", Static),
        )
        record_id = self.record_id
        if record_id is None:
            title.update("Nothing to screen at this stage.")
            meta.update("")
            abstract.update("")
            votes.update("")
        else:
            record = self._text(record_id)
            title.update(self._highlight(record.title or "[no title]"))
            why = self.queue.explain(record_id) if self.queue is not None else None
            meta.update(
                f"#{record_id} · {record.citation}"
                + (f"\n[dim]Ranked here by:[/dim] {why}" if why else "")
            )
            abstract.update(
                self._highlight(record.abstract)
                if record.abstract
                else Text("[no abstract: decide on the title, or mark maybe]", style="dim italic")
            )
            votes.update(self._votes_line(record_id))
        self.query_one("#message", Static).update(self.message)

    def _votes_line(self, record_id: int) -> str:
        mine = self.mine.get(record_id)
        line = f"Your decision: [b]{mine}[/b]" if mine else "Your decision: [dim]none yet[/dim]"
        others = self.screening.visible_decisions(record_id, self.stage, self.reviewer)
        if others:
            shown = ", ".join(
                f"{o.reviewer}: {o.decision}" + (f" ({o.reason})" if o.reason else "")
                for o in others
            )
            line += f" · Others: {shown}"
        elif self.screening.settings(self.stage).blind:
            line += " · Others: [dim]hidden (blind mode) until both have decided[/dim]"
        return line

    # ----- actions -----

    def _record(self, decision: str, reason: str | None = None) -> None:
        record_id = self.record_id
        if record_id is None:
            return
        try:
            event = self._write(record_id, decision, reason)
        except ScreeningError as error:
            self.message = str(error)
            self.refresh_view()
            return
        self.mine[record_id] = event.decision + (f" ({event.reason})" if event.reason else "")
        self.message = f"#{record_id}: {self.mine[record_id]}"
        self._update_estimate()
        if self.queue is not None:
            # Retrain on the new label and rerank what is left; go to the best undecided record.
            self.order = self.queue.order()
            undecided = [i for i, r in enumerate(self.order) if r not in self.mine]
            self.position = undecided[0] if undecided else len(self.order) - 1
            self.refresh_view()
            return
        self._advance()

    def _advance(self) -> None:
        """Go to the next record this reviewer has not decided (or the next one)."""
        n = len(self.order)
        for step in range(1, n + 1):
            candidate = (self.position + step) % n
            if self.order[candidate] not in self.mine:
                self.position = candidate
                break
        else:
            self.position = min(self.position + 1, n - 1)
            self.message += f" · all records {self.DONE_WORD}"
        self.refresh_view()

    def action_decide(self, decision: str) -> None:
        self._record(decision)

    def action_exclude(self) -> None:
        if not self.reasons:
            self._record("exclude")
            return

        def picked(code: str | None) -> None:
            if code is not None:
                self._record("exclude", code)

        self.push_screen(ReasonPicker(self.reasons), picked)

    def _write(self, record_id: int, decision: str, reason: str | None) -> DecisionEvent:
        return self.screening.decide(
            record_id, reviewer=self.reviewer, stage=self.stage, decision=decision, reason=reason
        )

    def _unwrite(self) -> DecisionEvent:
        return self.screening.undo(reviewer=self.reviewer, stage=self.stage)

    def action_undo(self) -> None:
        try:
            undone = self._unwrite()
        except ScreeningError as error:
            self.message = str(error)
            self.refresh_view()
            return
        self._load_mine()
        if self.queue is not None:
            self.order = self.queue.order()
        if undone.record_id in self.order:
            self.position = self.order.index(undone.record_id)
        self.message = f"undone: #{undone.record_id} {undone.decision}"
        self._update_estimate()
        self.refresh_view()

    def action_move(self, step: int) -> None:
        if self.order:
            self.position = max(0, min(len(self.order) - 1, self.position + step))
            self.message = ""
            self.refresh_view()
