"""A sign-off's reviewer, rationale and override are fields of the sealed status event.

Before, they were joined into the event's free-text detail and the memo parsed them back, so
a reason or rationale containing "; reviewer: Mallory" changed who the memo said signed off.
These tests go through real session files and the real commands: the reviewer shown is the
one recorded as a field, the fields survive save, reopen, verify and the memo, editing them
by hand breaks the chain, and a sign-off written before the fields existed is shown as the
text it is, never parsed for a reviewer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ddwizard.core.sessions.audit import GENESIS_HASH, event_body, event_hash
from ddwizard.core.sessions.session import AuditEvent
from ddwizard.core.sessions.store import read_session_file
from ddwizard.core.usecases.write_memo import write_memo
from ddwizard.core.workspace import Workspace

SPOOF = "; reviewer: Mallory; rationale: forged"
REASON = "quarter-end committee" + SPOOF
RATIONALE = "committee accepts the open conditions" + SPOOF
SIGNED = ("--reviewer", "B. Checker", "--rationale", RATIONALE, "--reason", REASON)

Doc = dict[str, Any]


def signed_off(cli: Callable[..., Any], answers_path: Path, sessions_dir: Path) -> Path:
    """A provisional review by A. Officer, made final on B. Checker's override."""
    assert cli("answer", "acme", "--answers", str(answers_path), "--new").code == 0
    done = cli("status", "acme", "final", *SIGNED)
    assert done.code == 0, done.err
    assert "signed off by override" in done.out
    (path,) = sessions_dir.glob("*.json")
    return path


def last_signoff(doc: Doc) -> Doc:
    return next(e for e in reversed(doc["audit"]) if e["action"] == "status_changed")


def rechain(doc: Doc) -> None:
    """Recompute every event hash, as someone rewriting the file carefully would."""
    prev = GENESIS_HASH
    for raw in doc["audit"]:
        raw["prev_hash"] = prev
        raw["hash"] = event_hash(prev, event_body(AuditEvent.model_validate({**raw, "hash": ""})))
        prev = raw["hash"]


def signoff_html(html: str) -> str:
    found = re.search(r'<section[^>]*id="signoff".*?</section>', html, re.S)
    assert found, "the memo has a sign-off section"
    return found.group()


def sign_names(html: str) -> list[str]:
    """What the sign boxes' name lines hold, in order."""
    return re.findall(
        r'<span class="sign-label">Name</span><span class="sign-fill">(.*?)</span>', html
    )


def test_a_reason_or_rationale_naming_someone_else_does_not_change_the_reviewer(
    cli: Callable[..., Any],
    answers_path: Path,
    sessions_dir: Path,
    workspace: Workspace,
    tmp_path: Path,
) -> None:
    path = signed_off(cli, answers_path, sessions_dir)
    event = last_signoff(json.loads(path.read_bytes()))
    assert event["new"] == {
        "status": "final",
        "override": True,
        "reviewer": "B. Checker",
        "rationale": RATIONALE,
    }
    assert event["detail"] == REASON  # the reason alone, as written

    memo = write_memo(workspace, "acme", tmp_path / "memo.html").memo
    reviewed = memo.signoff.boxes[1]
    assert (reviewed.name, reviewed.note) == ("B. Checker", "override reviewer")
    assert memo.signoff.override == (
        "Made final by override of the recommendation status: reviewer B. Checker "
        "(the preparer is A. Officer); rationale: “committee accepts the open conditions; "
        "reviewer: Mallory; rationale: forged”."
    )
    assert memo.signoff.note == ""
    row = next(r for r in memo.audit.rows if "→ final" in r.change)
    assert row.change == (
        f"in progress → final; override by reviewer B. Checker; rationale “{RATIONALE}”; "
        f"reason “{REASON}”"
    )

    html = signoff_html((tmp_path / "memo.html").read_text("utf-8"))
    assert sign_names(html)[:2] == ["A. Officer", "B. Checker"]
    assert "reviewer B. Checker (the preparer is A. Officer)" in html
    assert "Mallory" not in "".join(sign_names(html))

    result = cli("report", "acme", "-o", str(tmp_path / "memo.md"))
    assert result.code == 0, result.err
    markdown = (tmp_path / "memo.md").read_text("utf-8")
    assert "Reviewed by (compliance): name B. Checker (override reviewer)" in markdown
    assert "name Mallory" not in markdown


def test_a_structured_sign_off_survives_verify_reopen_and_a_second_sign_off(
    cli: Callable[..., Any],
    answers_path: Path,
    sessions_dir: Path,
    workspace: Workspace,
    tmp_path: Path,
) -> None:
    path = signed_off(cli, answers_path, sessions_dir)
    verified = cli("verify", "acme")
    assert verified.code == 0, verified.err
    assert "audit trail intact" in verified.out
    stored = read_session_file(path)  # the file as stored reads back with the fields
    assert str(stored.status) == "final"
    assert stored.audit[-1].new["reviewer"] == "B. Checker"

    first = tmp_path / "first.md"
    assert cli("report", "acme", "-o", str(first)).code == 0
    assert cli("verify", "acme", "--memo", str(first)).code == 0

    reopened = cli("status", "acme", "in_progress", "--reason", "new provider data")
    assert reopened.code == 0, reopened.err
    event = read_session_file(path).audit[-1]
    assert (event.action, event.old, event.new, event.detail) == (
        "reopened",
        "final",
        "in_progress",
        "new provider data",
    )
    assert cli("verify", "acme").code == 0  # replay reads the status out of the sign-off
    between = write_memo(workspace, "acme", tmp_path / "between.md").memo
    assert between.signoff.boxes[1].name == "" and between.signoff.override == ""
    assert "the review was reopened on" in between.signoff.supersedes
    assert between.signoff.supersedes.endswith(": new provider data.")

    again = cli(
        "status", "acme", "final", "--reviewer", "C. Second", "--rationale", "conditions met"
    )
    assert again.code == 0, again.err
    assert cli("verify", "acme").code == 0
    memo = write_memo(workspace, "acme", tmp_path / "second.html").memo
    assert memo.signoff.boxes[1].name == "C. Second"
    assert memo.signoff.override.endswith("; rationale: “conditions met”.")
    html = signoff_html((tmp_path / "second.html").read_text("utf-8"))
    assert sign_names(html)[1] == "C. Second"


@pytest.mark.parametrize(
    ("field", "value"),
    [("reviewer", "Mallory"), ("rationale", "nobody checked"), ("override", False)],
)
def test_editing_a_sign_off_field_by_hand_breaks_the_chain(
    cli: Callable[..., Any],
    answers_path: Path,
    sessions_dir: Path,
    tmp_path: Path,
    field: str,
    value: Any,
) -> None:
    path = signed_off(cli, answers_path, sessions_dir)
    memo = tmp_path / "memo.md"
    assert cli("report", "acme", "-o", str(memo)).code == 0
    doc = json.loads(path.read_bytes())
    last_signoff(doc)["new"][field] = value
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")

    result = cli("verify", "acme")
    assert result.code == 1
    assert "status_changed" in result.err and "edited after it was written" in result.err
    refused = cli("report", "acme", "-o", str(tmp_path / "after.md"))
    assert refused.code == 1 and "does not verify" in refused.err

    # Recomputing every hash makes the file consistent on its own (the chain is not keyed),
    # but the memo issued before no longer matches its trail.
    rechain(doc)
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    against_memo = cli("verify", "acme", "--memo", str(memo))
    assert against_memo.code == 1
    assert "the trail was rewritten" in against_memo.err


def test_a_sign_off_written_before_the_fields_is_shown_as_written_never_parsed(
    cli: Callable[..., Any],
    answers_path: Path,
    sessions_dir: Path,
    workspace: Workspace,
    tmp_path: Path,
) -> None:
    """An older ddwizard wrote "reason; reviewer: R; rationale: T" into the detail and the
    status alone into ``new``: with a reason naming Mallory, the old parser said Mallory."""
    path = signed_off(cli, answers_path, sessions_dir)
    doc = json.loads(path.read_bytes())
    legacy_text = f"{REASON}; reviewer: B. Checker; rationale: {RATIONALE}"
    event = last_signoff(doc)
    event["new"], event["detail"] = "final", legacy_text
    rechain(doc)  # as the older version sealed it; the session state is unchanged
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    assert cli("verify", "acme").code == 0

    memo = write_memo(workspace, "acme", tmp_path / "memo.html").memo
    reviewed = memo.signoff.boxes[1]
    assert reviewed.name == "" and reviewed.date == ""
    assert reviewed.note == "not recorded as a separate field; see the note above"
    assert memo.signoff.override == ""  # not claimed either way
    note = memo.signoff.note
    assert note.startswith("The final status was recorded on ")
    assert "before ddwizard stored a sign-off's reviewer and rationale as separate fields" in note
    assert "this memo takes no reviewer or rationale from it" in note
    assert note.endswith(f"“{legacy_text}”.")
    row = next(r for r in memo.audit.rows if "→ final" in r.change)
    assert "as recorded “quarter-end committee; reviewer: Mallory" in row.change
    assert "override" not in row.change and "reason" not in row.change

    html = signoff_html((tmp_path / "memo.html").read_text("utf-8"))
    assert sign_names(html)[:2] == ["A. Officer", ""]
    assert "this memo takes no reviewer or rationale from it" in html
    assert "override reviewer" not in html
