"""End to end in a real terminal: the installed ``ddwizard`` inside tmux.

Types an answer, quits with ctrl+q, resumes with ``ddwizard resume`` and reads the screen.
Runs on a private tmux server (its own socket), so it never touches the user's sessions.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.tui.tmux_support import (
    Tmux,
    ddwizard,
    open_wizard,
    quit_wizard,
    saved,
    screen,
    tmux_server,
    wait_for,
)

pytestmark = [
    pytest.mark.slow,  # drives the installed app in tmux
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


@pytest.fixture()
def tmux() -> Iterator[Tmux]:
    yield from tmux_server("ddw-test")


def test_answer_quit_and_resume_in_tmux(tmux: Tmux, tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"

    open_wizard(tmux, tmp_path, (100, 32), ddwizard(sessions, "new", "--name", "Tmux review"))
    wait_for(lambda: "client.entity_name" in screen(tmux), "the first question")
    tmux("send-keys", "-t", "dd", "-l", "Globex Capital LLC")
    tmux("send-keys", "-t", "dd", "Enter")

    def saved_answer() -> object:
        files = list(sessions.glob("*.json"))
        if not files:
            return None
        data = json.loads(files[0].read_text(encoding="utf-8"))
        return data["answers"].get("client.entity_name", {}).get("value")

    wait_for(lambda: saved_answer() == "Globex Capital LLC", "the answer saved on disk")

    def saved_position() -> object:
        data = saved(sessions)
        return data["position"]["question"]

    # Enter moved on to the next question; its position is written after a short pause.
    wait_for(lambda: saved_position() == "client.entity_type", "the position saved")
    quit_wizard(tmux)

    open_wizard(tmux, tmp_path, (100, 32), ddwizard(sessions, "resume", "Tmux review"))
    wait_for(lambda: "Globex Capital LLC" in screen(tmux), "the resumed answer on screen")
    text = screen(tmux)
    assert "Your institution" in text, text  # the same section
    assert "Tmux review" in text, text  # the session's name in the header
    # The cursor is back on the question after the one answered (Enter moved on to it).
    data = saved(sessions)
    assert data["position"]["question"] == "client.entity_type", data["position"]
    quit_wizard(tmux)


def test_the_wizard_answers_keys_while_a_memo_renders(tmux: Tmux, tmp_path: Path) -> None:
    """Export a PDF, then move to the Review screen and through its list while it renders;
    a second export is refused; the memo and its audit event arrive."""
    sessions = tmp_path / "sessions"
    demo = Path(__file__).resolve().parents[2] / "questionnaires" / "examples" / "demo.yaml"
    subprocess.run(
        [
            *(sys.executable, "-m", "ddwizard", "--sessions-dir", str(sessions)),
            *("answer", "Tmux export", "--new", "--answers", str(demo)),
        ],
        check=True,
        capture_output=True,
    )
    memo = tmp_path / "tmux-export-memo.pdf"
    open_wizard(tmux, tmp_path, (80, 24), ddwizard(sessions, "resume", "Tmux export"))
    wait_for(lambda: "Tmux export" in screen(tmux), "the resumed review")
    tmux("send-keys", "-t", "dd", "F7")
    wait_for(lambda: "Write memo" in screen(tmux), "the export screen")
    tmux("send-keys", "-t", "dd", "C-e")
    wait_for(lambda: "writing the memo" in screen(tmux), "the export under way")
    tmux("send-keys", "-t", "dd", "C-e")  # a second export while the first runs
    wait_for(lambda: "Export running" in screen(tmux), "the polite refusal")
    tmux("send-keys", "-t", "dd", "F6")
    wait_for(lambda: "Status: in progress" in screen(tmux), "the Review screen, during the export")
    assert "writing the memo" in screen(tmux)  # still rendering, shown in the header
    assert not memo.exists()
    tmux("send-keys", "-t", "dd", "Down", "Down", "Enter")  # jump to the third item
    wait_for(lambda: "Status: in progress" not in screen(tmux), "the jump, during the export")
    wait_for(lambda: memo.is_file(), "the memo")

    def recorded() -> bool:
        data = saved(sessions)
        return any(e["action"] == "memo_generated" for e in data["audit"])

    wait_for(recorded, "the memo recorded in the audit trail")
    assert memo.read_bytes().startswith(b"%PDF")
    quit_wizard(tmux)
