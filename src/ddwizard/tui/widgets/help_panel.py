"""Why the focused question matters, what it drives and what can go wrong with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from ddwizard.core.questionnaire import Question
from ddwizard.tui.display import shown
from ddwizard.tui.widgets.sizing import FormText, SizedInPlace

if TYPE_CHECKING:
    from ddwizard.core.results import Finding

SEVERITY_STYLES = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "dim"}


class HelpPanel(SizedInPlace, VerticalScroll):
    """Help text of the focused question (never focusable: it follows the focus)."""

    DEFAULT_CSS = """
    HelpPanel { padding: 0 1; overflow-y: scroll; scrollbar-size-vertical: 1; }
    HelpPanel > .help-body { height: auto; }
    HelpPanel > .findings { height: auto; margin-bottom: 1; }
    """
    can_focus = False
    _shown_question: Question | None = None
    _shown_findings: Text | None = None
    _findings_known = False

    def compose(self):  # type: ignore[no-untyped-def]
        yield FormText("", classes="findings")
        yield FormText("", classes="help-body")

    def show(self, question: Question | None) -> None:
        body = self.query_one(".help-body", Static)
        if question is not None and question is self._shown_question:
            return  # same help: skip the re-layout
        self._shown_question = question
        self.scroll_to(y=0, animate=False)  # a new question's help starts at its top
        if question is None:
            body.update(Text("Move to a question to see why it matters.", style="dim"))
            return
        text = Text()
        text.append(question.prompt + "\n", style="bold")
        text.append(question.help.strip() + "\n")
        if question.drives:
            text.append("\nDrives: ", style="bold")
            text.append(question.drives + "\n")
        describe = self.app.services.qset.describe_condition  # type: ignore[attr-defined]
        if question.show_if is not None:
            text.append("Shown when: ", style="bold")
            text.append(describe(question.show_if) + "\n")
        helped = [c for c in question.choices if c.help]
        for choice in helped:
            text.append(f"• {choice.label}: ", style="bold")
            text.append((choice.help or "") + "\n")
        for rule in question.red_flags:
            text.append(
                f"\n{rule.severity.value.upper()} ", style=SEVERITY_STYLES[rule.severity.value]
            )
            text.append(f"when {describe(rule.when)}: {rule.message}")
        body.update(text)

    def show_findings(self, findings: Text | None) -> None:
        if self._findings_known and findings == self._shown_findings:
            return  # unchanged (the mandate has none): no re-layout after every answer
        self._findings_known = True
        self._shown_findings = findings
        panel = self.query_one(".findings", Static)
        panel.update(findings or "")
        panel.display = findings is not None


def findings_text(findings: tuple[Finding, ...]) -> Text:
    """A provider's findings for the help panel, most severe first, ids dim."""
    text = Text()
    text.append(f"Findings ({len(findings)})\n", style="bold underline")
    if not findings:
        text.append("none so far", style="dim")
        return text
    for finding in sorted(findings, key=lambda f: -f.severity.rank):
        text.append(
            f"{finding.severity.value.upper():<8} ", style=SEVERITY_STYLES[finding.severity.value]
        )
        if finding.breaches_mandate:
            text.append("breaches the mandate", style="bold red reverse")
            text.append(" ")
        text.append(shown(finding.message))
        text.append(f"  {finding.question_id}\n", style="dim")
    return text
