"""End to end in a real terminal: the installed ``ddwizard`` inside tmux.

Types an answer, quits with ctrl+q, resumes with ``ddwizard resume`` and reads the screen.
Runs on a private tmux server (its own socket), so it never touches the user's sessions.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,  # drives the installed app in tmux
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

WAIT = 30.0


@pytest.fixture()
def tmux() -> Iterator[Callable[..., str]]:
    socket = f"ddw-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "TERM": "xterm-256color"}
    env.pop("TMUX", None)

    def run(*args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", socket, *args], capture_output=True, text=True, env=env, check=False
        )
        return done.stdout

    yield run
    run("kill-server")


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def ddwizard(sessions: Path, *args: str) -> str:
    parts = [sys.executable, "-m", "ddwizard", "--sessions-dir", str(sessions), *args]
    return " ".join(shlex.quote(p) for p in parts)


def test_answer_quit_and_resume_in_tmux(tmux: Callable[..., str], tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    screen = lambda: tmux("capture-pane", "-p", "-t", "dd")  # noqa: E731

    tmux(
        "new-session",
        "-d",
        "-s",
        "dd",
        "-x",
        "100",
        "-y",
        "32",
        "-c",
        str(tmp_path),
        ddwizard(sessions, "new", "--name", "Tmux review"),
    )
    wait_for(lambda: "client.entity_name" in screen(), "the first question")
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
        data = json.loads(next(sessions.glob("*.json")).read_text(encoding="utf-8"))
        return data["position"]["question"]

    # Enter moved on to the next question; its position is written after a short pause.
    wait_for(lambda: saved_position() == "client.entity_type", "the position saved")
    tmux("send-keys", "-t", "dd", "C-q")
    wait_for(lambda: "dd" not in tmux("list-sessions", "-F", "#{session_name}").split(), "quit")

    tmux(
        "new-session",
        "-d",
        "-s",
        "dd",
        "-x",
        "100",
        "-y",
        "32",
        "-c",
        str(tmp_path),
        ddwizard(sessions, "resume", "Tmux review"),
    )
    wait_for(lambda: "Globex Capital LLC" in screen(), "the resumed answer on screen")
    text = screen()
    assert "Your institution" in text, text  # the same section
    assert "Tmux review" in text, text  # the session's name in the header
    # The cursor is back on the question after the one answered (Enter moved on to it).
    data = json.loads(next(sessions.glob("*.json")).read_text(encoding="utf-8"))
    assert data["position"]["question"] == "client.entity_type", data["position"]
    tmux("send-keys", "-t", "dd", "C-q")
    wait_for(lambda: "dd" not in tmux("list-sessions", "-F", "#{session_name}").split(), "quit")


def test_the_wizard_answers_keys_while_a_memo_renders(
    tmux: Callable[..., str], tmp_path: Path
) -> None:
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
    screen = lambda: tmux("capture-pane", "-p", "-t", "dd")  # noqa: E731
    memo = tmp_path / "tmux-export-memo.pdf"
    tmux(
        "new-session",
        "-d",
        "-s",
        "dd",
        "-x",
        "80",
        "-y",
        "24",
        "-c",
        str(tmp_path),
        ddwizard(sessions, "resume", "Tmux export"),
    )
    wait_for(lambda: "Tmux export" in screen(), "the resumed review")
    tmux("send-keys", "-t", "dd", "F7")
    wait_for(lambda: "Write memo" in screen(), "the export screen")
    tmux("send-keys", "-t", "dd", "C-e")
    wait_for(lambda: "writing the memo" in screen(), "the export under way")
    tmux("send-keys", "-t", "dd", "C-e")  # a second export while the first runs
    wait_for(lambda: "Export running" in screen(), "the polite refusal")
    tmux("send-keys", "-t", "dd", "F6")
    wait_for(lambda: "Status: in progress" in screen(), "the Review screen, during the export")
    assert "writing the memo" in screen()  # still rendering, shown in the header
    assert not memo.exists()
    tmux("send-keys", "-t", "dd", "Down", "Down", "Enter")  # jump to the third item
    wait_for(lambda: "Status: in progress" not in screen(), "the jump, during the export")
    wait_for(lambda: memo.is_file(), "the memo")

    def recorded() -> bool:
        data = json.loads(next(sessions.glob("*.json")).read_text(encoding="utf-8"))
        return any(e["action"] == "memo_generated" for e in data["audit"])

    wait_for(recorded, "the memo recorded in the audit trail")
    assert memo.read_bytes().startswith(b"%PDF")
    tmux("send-keys", "-t", "dd", "C-q")
    wait_for(lambda: "dd" not in tmux("list-sessions", "-F", "#{session_name}").split(), "quit")
