"""Fuzzing every file a user can hand ddwizard: answers files, provider profiles,
questionnaires and session files.

Each example takes a real file, damages it (hostile snippets such as YAML aliases, tags,
control characters, deep nesting, huge or octal-looking numbers, byte-order marks, cut-off
or flipped bytes, and for sessions any JSON value at any place), and runs the command that
reads it in-process with ``DDWIZARD_DEBUG=1`` (so an unexpected exception surfaces as a test
failure instead of the CLI's last-resort message). Every run must:

* exit 0 or 1, and when 1, name the damaged file;
* finish within a few seconds (a SIGALRM timer turns a hang into a failure);
* print no traceback and no "unexpected" error;
* leave the damaged file byte for byte as it was.

A small derandomised variant runs in the fast loop; the large one is ``slow``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ddwizard.cli import main

REPO = Path(__file__).resolve().parent.parent.parent
SEED_FILE = "20261130-5eed5eed.json"
"""The fuzzed session's file name (its id inside differs: verify names either)."""
TIME_LIMIT_S = 10.0
"""Generous for a loaded 2-core machine; the work itself takes well under a second."""

YAML_SNIPPETS = [
    "&a [1, 2]",
    "*a",
    "x: &b [*b]",
    "\x1b]0;pwned\x07",
    "\x1b[2J",
    "\x00",
    "\x7f",
    "\u202e",
    "!!python/object/apply:os.system ['true']",
    "!!binary aGVsbG8=",
    "010",
    "0x1F",
    "1:30",
    "9" * 5000,
    "1e999",
    ".nan",
    "-.inf",
    "2026-02-30",
    "[" * 200,
    "{" * 200,
    "- " * 150,
    "\ufeff",
    "<<: *a",
    "? [complex, key]",
    ": :",
    "'unterminated",
    '"\\x1b"',
    "~",
    "\t",
    "\r\n",
    "\n  nested:\n    deeper: [a, b]\n",
    "A" * 30_000,
]
JSON_SNIPPETS = [
    "9" * 5000,
    "1e999",
    "NaN",
    "Infinity",
    "-",
    "[" * 5000,
    '"\\u0000"',
    '"\\u001b[2J"',
    '"schema_version": 99,',
    "\ufeff",
    "null",
    "{}",
    '"',
    ",",
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def damaged(draw: st.DrawFn, original: bytes, snippets: list[str]) -> bytes:
    """``original`` with one to four random edits."""
    data = bytearray(original)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        kind = draw(st.sampled_from(["snippet", "text", "delete", "flip", "truncate", "dup"]))
        at = draw(st.integers(min_value=0, max_value=len(data)))
        if kind == "snippet":
            data[at:at] = draw(st.sampled_from(snippets)).encode("utf-8")
        elif kind == "text":
            data[at:at] = draw(st.text(max_size=12)).encode("utf-8", "surrogatepass")
        elif kind == "delete":
            data[at : at + draw(st.integers(min_value=1, max_value=40))] = b""
        elif kind == "flip" and data:
            spot = min(at, len(data) - 1)
            data[spot] = draw(st.integers(min_value=0, max_value=255))
        elif kind == "truncate":
            del data[at:]
        elif kind == "dup":
            end = min(len(data), at + draw(st.integers(min_value=1, max_value=200)))
            data[at:at] = data[at:end]
    return bytes(data)


@st.composite
def session_edit(draw: st.DrawFn, original: bytes) -> bytes:
    """A session file with one JSON value replaced somewhere, or damaged bytes."""
    if draw(st.booleans()):
        return draw(damaged(original, JSON_SNIPPETS))
    doc = json.loads(original)
    node: Any = doc
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
            if not isinstance(node[key], dict | list) or not node[key]:
                node[key] = draw(json_values)
                break
            node = node[key]
        elif isinstance(node, list) and node:
            node = node[draw(st.integers(min_value=0, max_value=len(node) - 1))]
        else:
            break
    else:
        if isinstance(node, dict):
            node[draw(st.text(max_size=12))] = draw(json_values)
    return json.dumps(doc, ensure_ascii=draw(st.booleans())).encode("utf-8")


class Hung(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise Hung(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_cli(args: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    old = os.environ.get("DDWIZARD_DEBUG")
    os.environ["DDWIZARD_DEBUG"] = "1"
    started = time.perf_counter()
    try:
        with (
            time_limit(TIME_LIMIT_S),
            contextlib.redirect_stderr(err),
            contextlib.redirect_stdout(io.StringIO()),
        ):
            code = main(args)
    finally:
        if old is None:
            os.environ.pop("DDWIZARD_DEBUG", None)
        else:
            os.environ["DDWIZARD_DEBUG"] = old
    assert time.perf_counter() - started < TIME_LIMIT_S
    return code, err.getvalue()


def check(target: Path, content: bytes, args: list[str], *, named: tuple[str, ...] = ()) -> None:
    """Run ``args`` on ``target`` holding ``content``; on exit 1 the error names ``target``
    (or one of ``named``: a sibling file an error in ``target`` shows up in, a session id)."""
    target.write_bytes(content)
    code, err = run_cli(args)
    assert code in (0, 1), err
    assert "Traceback" not in err and "error: unexpected" not in err, err
    if code == 1:
        assert any(name in err for name in (target.name, target.stem, *named)), err
    assert target.read_bytes() == content


@pytest.fixture(scope="module")
def session_file(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    sessions = tmp_path_factory.mktemp("seed") / "sessions"
    demo = REPO / "questionnaires" / "examples" / "demo.yaml"
    code, err = run_cli(
        ["--sessions-dir", str(sessions), "answer", "Seed", "--new", "--answers", str(demo)]
    )
    assert code == 0, err
    return next(sessions.glob("*.json")).read_bytes()


Case = Callable[[Path, bytes], None]


def answers_case(folder: Path, content: bytes) -> None:
    target = folder / "answers.yaml"
    check(target, content, ["score", str(target)])


def provider_case(folder: Path, content: bytes) -> None:
    providers = folder / "providers"
    if not providers.exists():
        shutil.copytree(REPO / "providers", providers)
    # A profile broken into another valid one may clash with a sibling (a duplicate id).
    check(
        providers / "bitgo.yaml",
        content,
        ["validate", "--providers", str(providers)],
        named=(str(providers),),
    )


def questionnaire_case(folder: Path, content: bytes) -> None:
    questionnaires = folder / "questionnaires"
    if not questionnaires.exists():
        shutil.copytree(REPO / "questionnaires", questionnaires)
    # Questions removed from selection.yaml show up as unknown references in diligence.yaml.
    check(
        questionnaires / "selection.yaml",
        content,
        ["validate", "--questionnaires", str(questionnaires)],
        named=(str(questionnaires),),
    )


def session_case(folder: Path, content: bytes, command: str) -> None:
    sessions = folder / "sessions"
    sessions.mkdir(exist_ok=True)
    target = sessions / SEED_FILE
    ref = {"sessions": [], "verify": [str(target)], "score": [str(target)]}[command]
    # verify names the session by the id inside the file, which an edit may have changed.
    found = re.search(rb'"id": *"([0-9]{8}-[0-9a-f]{8})"', content)
    named = (found.group(1).decode(),) if found else ()
    check(target, content, ["--sessions-dir", str(sessions), command, *ref], named=named)


def _fuzz(max_examples: int, derandomize: bool) -> Any:
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=derandomize,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
            HealthCheck.data_too_large,
        ],
    )


ANSWERS = (REPO / "questionnaires" / "examples" / "demo.yaml").read_bytes()
PROVIDER = (REPO / "providers" / "bitgo.yaml").read_bytes()
SELECTION = (REPO / "questionnaires" / "selection.yaml").read_bytes()


@pytest.mark.parametrize(
    ("case", "original"),
    [(answers_case, ANSWERS), (provider_case, PROVIDER), (questionnaire_case, SELECTION)],
    ids=["answers", "provider", "questionnaire"],
)
def test_fuzz_yaml_inputs_fast(case: Case, original: bytes, tmp_path: Path) -> None:
    @_fuzz(6, derandomize=True)
    @given(content=damaged(original, YAML_SNIPPETS))
    def run(content: bytes) -> None:
        case(tmp_path, content)

    run()


def test_fuzz_session_files_fast(session_file: bytes, tmp_path: Path) -> None:
    @_fuzz(8, derandomize=True)
    @given(content=session_edit(session_file), command=st.sampled_from(["verify", "sessions"]))
    def run(content: bytes, command: str) -> None:
        session_case(tmp_path, content, command)

    run()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("case", "original"),
    [(answers_case, ANSWERS), (provider_case, PROVIDER), (questionnaire_case, SELECTION)],
    ids=["answers", "provider", "questionnaire"],
)
def test_fuzz_yaml_inputs(case: Case, original: bytes, tmp_path: Path) -> None:
    @_fuzz(120, derandomize=False)
    @given(content=damaged(original, YAML_SNIPPETS))
    def run(content: bytes) -> None:
        case(tmp_path, content)

    run()


@pytest.mark.slow
def test_fuzz_session_files(session_file: bytes, tmp_path: Path) -> None:
    @_fuzz(200, derandomize=False)
    @given(
        content=session_edit(session_file),
        command=st.sampled_from(["verify", "sessions", "score"]),
    )
    def run(content: bytes, command: str) -> None:
        session_case(tmp_path, content, command)

    run()
