"""Sections of the questionnaire with completion marks, plus overall progress."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

DONE_MARK = "✓"
PARTIAL_MARK = "◐"
EMPTY_MARK = "·"
NOT_APPLICABLE_MARK = "-"


@dataclass(frozen=True)
class SectionState:
    id: str
    title: str
    answered: int
    shown: int

    @property
    def mark(self) -> str:
        if not self.shown:
            return NOT_APPLICABLE_MARK
        if self.shown and self.answered >= self.shown:
            return DONE_MARK
        return PARTIAL_MARK if self.answered else EMPTY_MARK


class SectionSidebar(Vertical):
    """Section list (Enter jumps) with a progress bar on top."""

    DEFAULT_CSS = """
    SectionSidebar { width: 28; height: 1fr; border-right: vkey $foreground 20%; }
    SectionSidebar .progress-label { height: 2; padding: 0 1; }
    SectionSidebar OptionList { height: 1fr; border: none; padding: 0; text-wrap: nowrap;
        text-overflow: ellipsis; }
    """

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.heading = title
        self._shown: tuple[object, ...] | None = None
        self._ids: list[str] = []
        self._prompts: list[Text] = []

    def compose(self) -> ComposeResult:
        yield Static(Text(self.heading, style="bold"), classes="progress-label")
        yield OptionList(classes="sections")

    def show(self, states: list[SectionState], current: str, progress: int) -> None:
        key = (tuple(states), current, progress)
        if key == self._shown:
            return  # nothing changed: skip the re-render
        self._shown = key
        filled = progress * 16 // 100
        label = Text(self.heading, style="bold")
        label.append(f"  {progress}%\n", style="")
        label.append("█" * filled, style="green")
        label.append("░" * (16 - filled), style="dim")
        # fixed size (2 lines in a fixed-width sidebar): repainted, no layout pass
        self.query_one(".progress-label", Static).update(label, layout=False)
        options = self.query_one(OptionList)
        highlighted = None
        prompts = []
        for index, state in enumerate(states):
            style = "bold" if state.id == current else ""
            label = Text(f"{state.mark} ", style="green" if state.mark == DONE_MARK else "dim")
            count = f"{state.answered}/{state.shown}" if state.shown else "n/a"
            label.append(f"{count} ", style="dim")
            label.append(state.title, style=style)
            prompts.append(label)
            if state.id == current:
                highlighted = index
        ids = [state.id for state in states]
        if ids == self._ids:
            # Same sections: re-label only the rows that changed (no rebuild of the list).
            for index, prompt in enumerate(prompts):
                if prompt != self._prompts[index]:
                    options.replace_option_prompt_at_index(index, prompt)
        else:
            options.clear_options()
            options.add_options([Option(p, id=i) for p, i in zip(prompts, ids, strict=True)])
        self._ids, self._prompts = ids, prompts
        options.highlighted = highlighted
