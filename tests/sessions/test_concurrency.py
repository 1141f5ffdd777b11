"""Two writers on one session: every save lands or is refused by name, none is lost."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.sessions.audit import verify_session
from ddwizard.core.sessions.store import SessionStore, read_session_file

WRITER = textwrap.dedent(
    """
    import sys
    from ddwizard.cli import main

    sessions, ref, answers, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    for _ in range(rounds):
        code = main(["--sessions-dir", sessions, "answer", ref, "--answers", answers])
        print("ok" if code == 0 else "refused", flush=True)
    """
)


@pytest.mark.slow
def test_two_writers_lose_nothing(
    store: SessionStore, qset: QuestionnaireSet, catalog: ProviderCatalog, tmp_path: Path
) -> None:
    with store.create("Shared", qset, catalog) as handle:
        path = handle.path
    files = []
    for n, region in enumerate(("us", "eu")):
        answers = tmp_path / f"w{n}.yaml"
        answers.write_text(f"answers:\n  client.regions: [{region}]\n", encoding="utf-8")
        files.append(answers)
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(store.root), path.stem, str(answers), "8"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for answers in files
    ]
    outcomes: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        assert "Traceback" not in err and "unexpected" not in err, err
        for line in err.splitlines():
            assert "is open by process" in line, line  # a refusal names the holder
        outcomes += out.split()
    session = read_session_file(path)
    assert verify_session(session).ok
    applied = [e for e in session.audit if e.action == "answers_file_applied"]
    assert len(applied) == outcomes.count("ok") > 0
    assert sorted(p.name for p in store.root.iterdir()) == [path.name, f"{path.name}.bak"]
