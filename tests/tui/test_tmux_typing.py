"""A fast typist in a real terminal (tmux, 80x24): what is typed is what is saved.

tmux delivers the keys of one ``send-keys`` back to back, as a terminal does for fast typing:
End, backspaces over the saved legal name, then the new name must give exactly the new name;
Enter on an unanswered yes/no question must record nothing. Checked in the session file.
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
from typing import Any

import pytest

pytestmark = [
    pytest.mark.slow,  # drives the installed app in tmux
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

WAIT = 40.0
OLD_NAME = "Meridian Digital Assets Ltd"


@pytest.fixture()
def tmux() -> Iterator[Callable[..., str]]:
    socket = f"ddw-typing-{uuid.uuid4().hex[:8]}"
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


def saved(sessions: Path) -> dict[str, Any]:
    (path,) = sessions.glob("*.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_a_burst_in_tmux_saves_what_was_typed(tmux: Callable[..., str], tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    screen = lambda: tmux("capture-pane", "-p", "-t", "dd")  # noqa: E731
    tmux(
        "new-session", "-d", "-s", "dd", "-x", "80", "-y", "24", "-c", str(tmp_path),
        ddwizard(sessions, "new", "--name", "Burst"),
    )  # fmt: skip
    wait_for(lambda: "client.entity_name" in screen(), "the first question")
    tmux("send-keys", "-t", "dd", "-l", OLD_NAME)
    tmux("send-keys", "-t", "dd", "Tab")
    wait_for(
        lambda: saved(sessions)["answers"].get("client.entity_name", {}).get("value") == OLD_NAME,
        "the first name to be saved",
    )
    # Away and back with F4 / F2, then one burst: End, a backspace per letter, the new name.
    tmux("send-keys", "-t", "dd", "F4")
    wait_for(lambda: "client.entity_name" not in screen(), "the results screen")
    tmux("send-keys", "-t", "dd", "F2")
    wait_for(lambda: "client.entity_name" in screen(), "the mandate screen")
    tmux("send-keys", "-t", "dd", "End", *["BSpace"] * len(OLD_NAME), *"Northwind", "Tab")
    wait_for(
        lambda: saved(sessions)["answers"]["client.entity_name"]["value"] == "Northwind",
        "the new name, exactly as typed",
    )
    # Enter on an unanswered yes/no question records nothing and says how to answer.
    tmux("send-keys", "-t", "dd", "PageDown")
    wait_for(lambda: "reg.qualified_custodian" in screen(), "the regulatory section")
    tmux("send-keys", "-t", "dd", "Enter")
    wait_for(lambda: "press y, n or u" in screen(), "the hint")
    assert "reg.qualified_custodian" not in saved(sessions)["answers"]
    tmux("send-keys", "-t", "dd", "n")
    wait_for(
        lambda: saved(sessions)["answers"].get("reg.qualified_custodian", {}).get("value") == "no",
        "the answer 'no'",
    )
    tmux("send-keys", "-t", "dd", "C-q")
    wait_for(lambda: "dd:" not in tmux("list-sessions"), "the wizard to quit")
    assert saved(sessions)["answers"]["client.entity_name"]["value"] == "Northwind"
