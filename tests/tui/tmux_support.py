"""Drive the installed ``ddwizard`` in a real terminal: one private tmux server per test.

Shared by the tmux tests. Each server has its own socket, so a test never touches the user's
tmux (or another test's); the wizard runs in a tmux session named ``dd``.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

WAIT = 40.0
"""Seconds to wait for the wizard before a test gives up."""

Tmux = Callable[..., str]


def tmux_server(prefix: str) -> Iterator[Tmux]:
    """For a fixture: ``run(*args)`` runs tmux on a new private server, killed afterwards."""
    socket = f"{prefix}-{uuid.uuid4().hex[:8]}"
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
    """The shell command running ``ddwizard *args`` on the sessions folder ``sessions``."""
    parts = [sys.executable, "-m", "ddwizard", "--sessions-dir", str(sessions), *args]
    return " ".join(shlex.quote(p) for p in parts)


def open_wizard(tmux: Tmux, cwd: Path, size: tuple[int, int], command: str) -> None:
    """Run ``command`` in a detached tmux session ``dd`` of ``size`` (columns, rows)."""
    columns, rows = size
    tmux(
        "new-session", "-d", "-s", "dd", "-x", str(columns), "-y", str(rows), "-c", str(cwd),
        command,
    )  # fmt: skip


def screen(tmux: Tmux) -> str:
    """The text the wizard shows now."""
    return tmux("capture-pane", "-p", "-t", "dd")


def quit_wizard(tmux: Tmux) -> None:
    """ctrl+q, then wait until the wizard has exited."""
    tmux("send-keys", "-t", "dd", "C-q")
    wait_for(lambda: "dd" not in tmux("list-sessions", "-F", "#{session_name}").split(), "quit")


def saved(sessions: Path) -> dict[str, Any]:
    """The one session file in ``sessions``, as saved on disk."""
    (path,) = sessions.glob("*.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
