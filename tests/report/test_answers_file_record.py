"""A memo made from an answers file records exactly the bytes that were scored: the file is
read once, so an edit saved while the memo renders cannot make the record disagree."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from ddwizard.core.answers import parse_answers_file
from ddwizard.core.usecases.write_memo import answers_file_memo

ANSWERS = "\ufeffname: Record check\nanswers:\n  client.entity_name: Kestrel Fund\n  client.regions: [eu]\n"


def test_parsed_answers_keep_the_exact_bytes_read(tmp_path: Path, qset: Any, catalog: Any) -> None:
    path = tmp_path / "answers.yaml"
    path.write_bytes(ANSWERS.encode("utf-8"))
    parsed = parse_answers_file(path, qset, catalog)
    assert parsed.content == path.read_bytes()
    assert parsed.content.startswith(b"\xef\xbb\xbf")  # byte for byte, BOM included
    assert parsed.name == "Record check"


@pytest.mark.slow  # renders a PDF
def test_pdf_embeds_the_answers_file_it_scored(
    tmp_path: Path, qset: Any, catalog: Any, read_pdf: Any
) -> None:
    path = tmp_path / "answers.yaml"
    path.write_bytes(ANSWERS.encode("utf-8"))
    result = answers_file_memo(path, qset, catalog, tmp_path / "memo.pdf")
    (attachment,) = read_pdf(result.path).attachments.values()
    record = json.loads(attachment[0])
    assert record["answers_file"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert record["answers_file"]["content"] == ANSWERS
    assert record["evaluation"]["eligible"]  # the evaluation of that very file travels with it
