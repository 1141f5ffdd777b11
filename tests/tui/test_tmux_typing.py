"""A fast typist in a real terminal (tmux, 80x24): what is typed is what is saved.

tmux delivers the keys of one ``send-keys`` back to back, as a terminal does for fast typing:
End, backspaces over the saved legal name, then the new name must give exactly the new name;
Enter on an unanswered yes/no question must record nothing. Checked in the session file.
"""

from __future__ import annotations

import shutil
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

OLD_NAME = "Meridian Digital Assets Ltd"


@pytest.fixture()
def tmux() -> Iterator[Tmux]:
    yield from tmux_server("ddw-typing")


def test_a_burst_in_tmux_saves_what_was_typed(tmux: Tmux, tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    open_wizard(tmux, tmp_path, (80, 24), ddwizard(sessions, "new", "--name", "Burst"))
    wait_for(lambda: "client.entity_name" in screen(tmux), "the first question")
    tmux("send-keys", "-t", "dd", "-l", OLD_NAME)
    tmux("send-keys", "-t", "dd", "Tab")
    wait_for(
        lambda: saved(sessions)["answers"].get("client.entity_name", {}).get("value") == OLD_NAME,
        "the first name to be saved",
    )
    # Away and back with F4 / F2, then one burst: End, a backspace per letter, the new name.
    tmux("send-keys", "-t", "dd", "F4")
    wait_for(lambda: "client.entity_name" not in screen(tmux), "the results screen")
    tmux("send-keys", "-t", "dd", "F2")
    wait_for(lambda: "client.entity_name" in screen(tmux), "the mandate screen")
    tmux("send-keys", "-t", "dd", "End", *["BSpace"] * len(OLD_NAME), *"Northwind", "Tab")
    wait_for(
        lambda: saved(sessions)["answers"]["client.entity_name"]["value"] == "Northwind",
        "the new name, exactly as typed",
    )
    # Enter on an unanswered yes/no question records nothing and says how to answer.
    tmux("send-keys", "-t", "dd", "PageDown")
    wait_for(lambda: "reg.qualified_custodian" in screen(tmux), "the regulatory section")
    tmux("send-keys", "-t", "dd", "Enter")
    wait_for(lambda: "press y, n or u" in screen(tmux), "the hint")
    assert "reg.qualified_custodian" not in saved(sessions)["answers"]
    tmux("send-keys", "-t", "dd", "n")
    wait_for(
        lambda: saved(sessions)["answers"].get("reg.qualified_custodian", {}).get("value") == "no",
        "the answer 'no'",
    )
    quit_wizard(tmux)
    assert saved(sessions)["answers"]["client.entity_name"]["value"] == "Northwind"
