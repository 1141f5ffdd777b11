"""A writer killed at any instant (SIGKILL) leaves a session that loads, old or new."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.sessions.audit import verify_chain, verify_session
from ddwizard.core.sessions.session import Session
from ddwizard.core.sessions.store import SessionStore, backup_path, read_session_file

pytestmark = pytest.mark.slow  # kill -9 loop

# The writer: `ddwizard answer` over and over (two files, so every run changes something),
# with bursts of single-answer saves in between, so kills land inside writes often.
WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from ddwizard.cli import main
    from ddwizard.core.sessions.store import SessionStore

    sessions, ref, first, second = sys.argv[1:5]
    args = ["--sessions-dir", sessions, "answer", ref, "--answers"]
    qset, catalog = None, None
    n = 0
    while True:
        for answers in (first, second):
            if main([*args, answers]) != 0:
                sys.exit(3)
            if n == 0:
                # Imports and the first write done: kills from now on land inside writes,
                # however slow a loaded machine makes the start.
                print("ready", flush=True)
                n = 1
        if qset is None:
            from ddwizard.core.loading import load_providers, load_questionnaires
            qset, catalog = load_questionnaires(), load_providers()
        with SessionStore(Path(sessions)).open(ref, qset, catalog) as handle:
            for _ in range(10):
                n += 1
                handle.set_answer("client.aum_usd_m", n)
    """
)

SECOND = """\
answers:
  client.regions: [us, eu, uk]
  reg.qualified_custodian: no
diligence:
  bitgo:
    dd.wallet_model: omnibus_client_only
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_at_random_moments_never_breaks_the_session(
    sessions_dir: Path,
    tmp_path: Path,
    answers_path: Path,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
) -> None:
    second = tmp_path / "second.yaml"
    second.write_text(SECOND, encoding="utf-8")
    store = SessionStore(sessions_dir)
    with store.create("Kill loop", qset, catalog) as handle:
        path = handle.path
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    rng = random.Random(20261128)
    killed_while_running = 0
    for _ in range(30):
        proc = subprocess.Popen(
            [
                sys.executable,
                str(script),
                str(sessions_dir),
                path.stem,
                str(answers_path),
                str(second),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        for line in proc.stdout:  # the first write's report, then "ready"
            if line.strip() == "ready":
                break
        else:
            raise AssertionError(proc.stderr.read() if proc.stderr else "writer ended")
        try:
            proc.wait(timeout=rng.uniform(0.0, 0.3))
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            killed_while_running += 1
        proc.wait()
        assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
        if proc.stderr is not None:
            proc.stderr.close()
        proc.stdout.close()

        session = store.load(path.stem, qset, catalog)  # always loadable
        assert session.id == path.stem
        assert verify_session(read_session_file(path)).ok
        if backup_path(path).exists():
            read_session_file(backup_path(path))  # the backup is always complete too
    assert killed_while_running == 30

    # The killed writers' locks are recovered, and their leftovers cleaned up.
    with store.open(path.stem, qset, catalog) as handle:
        handle.set_answer("client.entity_name", "Survivor Fund")
    final = Session.model_validate(json.loads(path.read_bytes()))
    assert final.answers["client.entity_name"].value == "Survivor Fund"
    assert verify_chain(final.audit) == []
    actions = [e.action for e in final.audit]
    assert actions.count("answers_file_applied") >= 1  # the writers really wrote
    assert not [p for p in sessions_dir.iterdir() if p.name.endswith(".tmp")]
    assert sorted(p.name for p in sessions_dir.iterdir()) == [path.name, backup_path(path).name]
