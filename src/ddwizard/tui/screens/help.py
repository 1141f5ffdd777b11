"""Every key of the screen underneath (and of the app), in one modal list."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.actions import parse
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

GENERAL_KEYS = [
    ("tab / shift+tab", "next / previous field (question, evidence, note)"),
    ("enter", "accept the typed answer and move on; open a list; never answers for you"),
    ("y / n / u", "answer yes / no / unknown (on a yes-no question)"),
    ("← → then space", "point at an option, then choose it (enter also chooses it)"),
    ("space", "tick or untick the highlighted choice of a list (● chosen, ✓ ticked)"),
    ("ctrl+p", "command palette: every action by name; type a question to jump to it"),
    ("ctrl+q", "quit (everything is already saved)"),
]


def action_available(node: DOMNode, action: str) -> bool:
    """False when the node hides the action here (e.g. "next provider" outside diligence)."""
    _, name, params = parse(action)
    return node.check_action(name, params) is not False


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 80; max-width: 95%; height: 80%; border: thick $accent;
        background: $surface; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "dismiss", "Close")]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        text = Text()
        text.append("Keys of this screen\n", style="bold underline")
        seen: set[str] = set()
        sources = [
            (self.under, getattr(self.under, "BINDINGS", [])),
            (self.app, getattr(self.app, "BINDINGS", [])),
        ]
        bindings = [(node, b) for node, items in sources for b in items]
        for node, binding in bindings:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            if binding.action in seen or not action_available(node, binding.action):
                continue
            seen.add(binding.action)
            text.append(f"{self.app.get_key_display(binding):>16}  ", style="bold")
            text.append(binding.description + "\n")
        text.append("\nEverywhere\n", style="bold underline")
        for key, what in GENERAL_KEYS:
            text.append(f"{key:>16}  ", style="bold")
            text.append(what + "\n")
        text.append("\nEscape or F1 closes this list.", style="dim")
        with VerticalScroll():
            yield Static(text)
