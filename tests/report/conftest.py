"""Fixtures for memo tests: real PDFs rendered once per module and read back with pypdf."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader


@dataclass(frozen=True)
class PdfRead:
    pages: int
    page_texts: tuple[str, ...]
    attachments: dict[str, list[bytes]]
    xmp: str
    catalog_af: int
    af_relationships: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.page_texts)

    @property
    def flat(self) -> str:
        """All text with whitespace collapsed (pypdf wraps long lines)."""
        return " ".join(self.text.split())


def read_pdf_file(path: Path) -> PdfRead:
    reader = PdfReader(str(path))
    xmp = reader.xmp_metadata
    xml = xmp.rdf_root.toxml() if xmp is not None else ""
    af = reader.trailer["/Root"].get("/AF") or []
    relationships = tuple(str(ref.get_object().get("/AFRelationship")) for ref in af)
    return PdfRead(
        pages=len(reader.pages),
        page_texts=tuple(p.extract_text() or "" for p in reader.pages),
        attachments={k: list(v) for k, v in reader.attachments.items()},
        xmp=xml,
        catalog_af=len(af),
        af_relationships=relationships,
    )


@pytest.fixture(scope="session")
def read_pdf() -> Callable[[Path], PdfRead]:
    return read_pdf_file
