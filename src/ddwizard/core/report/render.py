"""Turn a memo context into HTML, Markdown or an archival PDF, safely.

Firms may bring their own templates and every answer is free text, so rendering is locked
down: one sandboxed Jinja environment factory with autoescaping and strict undefined, a URL
fetcher that only serves ``data:`` URLs and files inside the templates folder, and errors
that name the template file and line. WeasyPrint is imported inside ``render_pdf`` only: the
TUI imports this package and must start fast.
"""

from __future__ import annotations

import gc
import hashlib
import mimetypes
import os
import re
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from jinja2 import (
    BytecodeCache,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ddwizard.core.errors import DataError, Problem
from ddwizard.core.report.context import ATTACHMENT_NAME, MemoContext
from ddwizard.core.report.text import html_finalize, visible_controls

Format = Literal["pdf", "html", "md"]
FORMATS: tuple[Format, ...] = ("pdf", "html", "md")
FORMAT_LABELS = {"pdf": "PDF", "html": "HTML", "md": "Markdown"}
HTML_TEMPLATE = "memo.html.j2"
MARKDOWN_TEMPLATE = "memo.md.j2"
STYLESHEET = "memo.css"
REQUIRED_TEMPLATES = (HTML_TEMPLATE, MARKDOWN_TEMPLATE, STYLESHEET)
PDF_VARIANT = "pdf/a-3a"
"""PDF/A-3 level A: archival, Unicode text and tagged structure (WeasyPrint's ``pdf_tags``)."""


# --- Jinja environment -------------------------------------------------------------------


def is_markdown_template(name: str | None) -> bool:
    return bool(name) and str(name).endswith((".md.j2", ".md"))


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~<>&])")
_MD_LINE_START = re.compile(r"^(\s*)(#+(?=\s|$)|[-+=](?=\s|$)|-{2,}|={2,})")
_MD_ORDERED = re.compile(r"^(\s*\d+)([.)])(?=\s|$)")


def markdown_escape(value: Any) -> str:
    """Make user text literal in Markdown: no markup, no raw HTML, one line per table cell.

    Markdown's own backslash escapes are used (``\\<``, ``\\&``), never HTML entities, so the
    text reads the same in a plain-text viewer; control characters are shown as ``\\xNN``.
    """
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return str(value)
    text = visible_controls(str(value))
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = " ".join(text.split())
    # A value may start a line: keep it from becoming a heading, list item or rule.
    text = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return _MD_ORDERED.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


class ResourceRefused(ValueError):
    """A URL the memo may not load; WeasyPrint skips the resource and goes on."""


def inside_folder(root: Path | str, relative: str) -> Path:
    """The real path of ``relative`` under ``root``, which must stay inside ``root``'s real path.

    The one rule for templates, the stylesheet and resources: symlinks and ``..`` are resolved
    first, so a link inside a firm's templates folder cannot reach ``/etc/passwd``.
    """
    real_root = Path(os.path.realpath(root))
    target = Path(os.path.realpath(real_root / relative))
    if not target.is_relative_to(real_root):
        raise ResourceRefused(f"'{relative}' resolves outside the templates folder")
    return target


class ConfinedLoader(FileSystemLoader):
    """A file loader that refuses templates whose real path leaves the templates folder."""

    def __init__(self, root: str) -> None:
        super().__init__(root, followlinks=False)
        self.root = root

    def get_source(self, environment: Any, template: str) -> Any:
        try:
            inside_folder(self.root, template)
        except ResourceRefused as exc:
            raise DataError.single(
                f"template refused: {exc}", file=str(Path(self.root) / template)
            ) from None
        return super().get_source(environment, template)

    def list_templates(self) -> list[str]:
        names: list[str] = super().list_templates()
        return names


def _bytecode_cache(markdown: bool) -> BytecodeCache | None:
    """Compiled templates kept between runs (Jinja's private per-user temp folder, which it
    checks is owned by the user and closed to others): compiling the memo's templates costs
    more than evaluating a review. Keyed by template path and source checksum; the HTML and
    Markdown environments compile differently, so they never share an entry."""
    try:
        return FileSystemBytecodeCache(
            pattern=f"__ddwizard_{'md' if markdown else 'html'}_%s.cache"
        )
    except (OSError, RuntimeError):
        return None


@lru_cache(maxsize=16)
def _cached_environment(root: str, markdown: bool) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        bytecode_cache=_bytecode_cache(markdown),
        loader=ConfinedLoader(root),
        autoescape=not markdown,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=True,
        finalize=markdown_escape if markdown else html_finalize,
    )
    return env


def make_environment(templates_dir: Path, *, markdown: bool = False) -> SandboxedEnvironment:
    """The one environment factory: sandboxed, strict, autoescaped HTML.

    ``markdown=True`` is for ``memo.md.j2`` only: HTML escaping makes no sense there, so every
    ``{{ value }}`` goes through ``markdown_escape`` instead (escaping stays the default).
    """
    return _cached_environment(str(Path(templates_dir).resolve()), markdown)


def _template_location(exc: BaseException, templates_dir: Path) -> tuple[str | None, int | None]:
    """The template file and line an error came from (Jinja rewrites traceback frames)."""
    if isinstance(exc, TemplateSyntaxError):
        return exc.filename or exc.name, exc.lineno
    root = str(Path(templates_dir).resolve())
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        name = frame.filename
        if name.endswith(".j2") or name.startswith(root):
            found = (name, frame.lineno)
    return found


def _template_error(exc: BaseException, templates_dir: Path, template: str) -> DataError:
    if isinstance(exc, TemplateNotFound):
        missing = exc.name or template
        return DataError.single(
            f"template '{missing}' not found", file=str(Path(templates_dir) / str(missing))
        )
    file, line = _template_location(exc, templates_dir)
    message = getattr(exc, "message", None) or str(exc)
    kind = "syntax error" if isinstance(exc, TemplateSyntaxError) else "error"
    return DataError.single(
        f"template {kind}: {message}",
        file=file or str(Path(templates_dir) / template),
        line=line,
    )


def _render(templates_dir: Path, template: str, **context: Any) -> str:
    env = make_environment(templates_dir, markdown=is_markdown_template(template))
    try:
        return env.get_template(template).render(**context)
    except DataError:
        raise
    except Exception as exc:  # anything a (firm-supplied) template can raise while rendering
        raise _template_error(exc, templates_dir, template) from None


def _stylesheet(templates_dir: Path) -> Markup:
    path = Path(templates_dir) / STYLESHEET
    try:
        css = inside_folder(templates_dir, STYLESHEET).read_text(encoding="utf-8")
    except ResourceRefused as exc:
        raise DataError.single(f"stylesheet refused: {exc}", file=str(path)) from None
    except FileNotFoundError:
        raise DataError.single("stylesheet not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError.single(f"cannot read stylesheet: {exc}", file=str(path)) from None
    # Inlined inside <style>: nothing may close the element early.
    return Markup(css.replace("</", "<\\/"))


def render_html(memo: MemoContext, templates_dir: Path) -> str:
    """Standalone HTML with the stylesheet inlined."""
    return _render(templates_dir, HTML_TEMPLATE, memo=memo, stylesheet=_stylesheet(templates_dir))


def render_markdown(memo: MemoContext, templates_dir: Path) -> str:
    return _render(templates_dir, MARKDOWN_TEMPLATE, memo=memo)


# --- resource fetching -------------------------------------------------------------------


@dataclass
class FetchLog:
    """What the renderer was asked to load: served template files and refusals."""

    served: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def resolve_resource(url: str, templates_dir: Path) -> Path | None:
    """The local file ``url`` may load, None for a ``data:`` URL; else ResourceRefused.

    Only files whose real path (symlinks and ``..`` resolved, percent-encoding decoded) lies
    inside the real path of the templates folder are allowed.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return None
    if scheme != "file":
        raise ResourceRefused(f"only data: URLs and template files may be loaded, not {url!r}")
    if parts.netloc not in ("", "localhost"):
        raise ResourceRefused(f"remote file URL refused: {url!r}")
    try:
        target = inside_folder(templates_dir, _url_path(unquote(parts.path)))
    except ResourceRefused:
        raise ResourceRefused(f"outside the templates folder: {url!r}") from None
    if not target.is_file():
        raise ResourceRefused(f"not a file in the templates folder: {url!r}")
    return target


def _url_path(path: str) -> str:
    """A file URL's path as a local path (``urllib.request`` is slow to import for this)."""
    if os.name == "nt":  # pragma: no cover - POSIX is the supported platform
        from nturl2path import url2pathname

        return str(url2pathname(path))
    return path


def make_url_fetcher(templates_dir: Path, log: FetchLog) -> Any:
    """A WeasyPrint URL fetcher confined to ``templates_dir`` (imports WeasyPrint)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class TemplateFolderFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            try:
                target = resolve_resource(url, templates_dir)
            except ResourceRefused as exc:
                log.refused.append((url, str(exc)))
                raise
            if target is None:
                log.served.append(url[:64])
                return super().fetch(url, headers)
            mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            log.served.append(target.as_uri())
            return URLFetcherResponse(
                target.as_uri(), body=target.read_bytes(), headers={"Content-Type": mime}
            )

    return TemplateFolderFetcher(allowed_protocols=("file", "data"))


# --- PDF -----------------------------------------------------------------------------------


def render_pdf(
    html: str,
    templates_dir: Path,
    *,
    attachment: bytes,
    log: FetchLog | None = None,
    attachment_name: str = ATTACHMENT_NAME,
) -> bytes:
    """Tagged PDF/A-3a of ``html`` with ``attachment`` embedded (AFRelationship /Source)."""
    import weasyprint

    log = log if log is not None else FetchLog()
    fetcher = make_url_fetcher(templates_dir, log)
    base_url = Path(templates_dir).resolve().as_uri() + "/"
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    embedded = weasyprint.Attachment(
        string=attachment,
        name=attachment_name,
        description="Record of the review that produced this memo (JSON)",
        relationship="Source",
        url_fetcher=fetcher,
    )
    with _collector_set_for_render():
        pdf = document.write_pdf(
            pdf_variant=PDF_VARIANT,
            pdf_tags=True,
            attachments=[embedded],
            finisher=_dedupe_associated_files,
        )
    assert isinstance(pdf, bytes)
    return pdf


RENDER_GC_THRESHOLD = 10_000
"""Allocations between two young-generation collections while a PDF is laid out (Python's
default is 700). Layout allocates millions of short-lived objects; collecting less often
saved 6-20 % of an eleven-provider render with the same peak memory (measured with
``benchmarks/bench_report.py`` and a resource-usage probe)."""


@contextmanager
def _collector_set_for_render() -> Iterator[None]:
    """Keep the cyclic collector's work proportionate while a PDF is rendered.

    Layout allocates enough to trigger many full collections, and each one re-traverses
    every object the process holds: modules, validated questionnaires and profiles, the memo
    context. They outlive the render, so they are frozen (about 0.2 s of a 12-page memo);
    young collections run less often (``RENDER_GC_THRESHOLD``). The render's own garbage is
    collected as usual. Both are restored afterwards; a freeze someone else holds (the TUI's
    forms) is left in place.
    """
    already_frozen = gc.get_freeze_count() > 0
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(RENDER_GC_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if not already_frozen:
            gc.unfreeze()


def _dedupe_associated_files(document: Any, pdf: Any) -> None:
    """WeasyPrint 70 lists each PDF/A-3 attachment twice in the catalog's /AF array."""
    files = pdf.catalog.get("AF")
    if files:
        unique = list(dict.fromkeys(files))
        del files[:]
        files.extend(unique)


@dataclass(frozen=True)
class RenderedMemo:
    data: bytes
    format: Format
    fetch_log: FetchLog


def render_memo(
    memo: MemoContext, fmt: Format, templates_dir: Path, *, attachment: bytes
) -> RenderedMemo:
    """The memo in ``fmt``; for PDF, ``attachment`` is embedded as ``session.json``."""
    log = FetchLog()
    if fmt == "md":
        return RenderedMemo(render_markdown(memo, templates_dir).encode("utf-8"), fmt, log)
    html = render_html(memo, templates_dir)
    if fmt == "html":
        return RenderedMemo(html.encode("utf-8"), fmt, log)
    pdf = render_pdf(html, templates_dir, attachment=attachment, log=log)
    return RenderedMemo(pdf, fmt, log)


def check_output(path: Path, fmt: str | None = None) -> None:
    """Refuse an output that cannot become a file, before any time is spent rendering; with
    ``fmt``, also a file name whose extension says another format (a PDF named memo.html)."""
    path = Path(path)
    if fmt is not None and path.suffix:
        try:
            implied = format_for(path, None)
        except DataError:
            implied = None
        if implied != fmt:
            raise DataError.single(
                f"the file name ends in '{path.suffix}' but the memo format is "
                f"{FORMAT_LABELS.get(fmt, fmt)}; name it .{fmt}",
                file=str(path),
            )
    if path.is_dir():
        raise DataError.single(
            "is a folder; give the memo a file name, for example memo.pdf inside it",
            file=str(path),
        )
    for folder in path.parents:
        if folder.exists():
            if not folder.is_dir():
                raise DataError.single(
                    f"cannot create the memo: {folder} is a file", file=str(path)
                )
            break


def write_atomic(path: Path, data: bytes) -> str:
    """Write ``data`` via a temporary file and rename; returns its SHA-256.

    Missing parent folders are created. A failure names ``path`` (not the temporary file) and
    leaves an existing file at ``path`` as it was. Callers check the path with
    ``check_output`` before rendering, so a bad one fails fast.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    tmp: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        reason = exc.strerror or str(exc)
        raise DataError.single(f"cannot write the memo: {reason}", file=str(path)) from None
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise
    return hashlib.sha256(data).hexdigest()


def format_for(output: Path, explicit: str | None) -> Format:
    """``--format`` if given, else the output's extension (none: PDF); another extension is an
    error rather than, say, a PDF silently written to ``memo.docx``."""
    if explicit:
        if explicit not in FORMATS:
            raise DataError.single(f"unknown format '{explicit}' (use pdf, html or md)")
        return explicit
    suffix = Path(output).suffix.lower().lstrip(".")
    aliases: dict[str, Format] = {
        "": "pdf",
        "pdf": "pdf",
        "htm": "html",
        "html": "html",
        "md": "md",
        "markdown": "md",
    }
    if suffix not in aliases:
        raise DataError.single(
            f"cannot tell the memo format from '.{suffix}': name the file .pdf, .html or .md, "
            "or give --format",
            file=str(output),
        )
    return aliases[suffix]


# --- validation ----------------------------------------------------------------------------


def check_templates(
    templates_dir: Path,
    sample: Callable[[], MemoContext] | MemoContext | None = None,
) -> list[Problem]:
    """Problems with a templates folder: missing files, syntax errors, render errors.

    Every ``*.j2`` file is compiled; with a ``sample`` context (the ``validate`` command passes
    the demo review's) the main templates are also rendered, which catches misspelt fields
    under ``StrictUndefined``.
    """
    folder = Path(templates_dir)
    if not folder.is_dir():
        return [Problem("templates folder not found", file=str(folder))]
    problems: list[Problem] = []
    for name in REQUIRED_TEMPLATES:
        if not (folder / name).is_file():
            problems.append(Problem(f"missing required template '{name}'", file=str(folder / name)))
    for path in sorted(folder.rglob("*.j2")):
        name = path.relative_to(folder).as_posix()
        env = make_environment(folder, markdown=is_markdown_template(name))
        try:
            env.get_template(name)
        except TemplateError as exc:
            problems += _template_error(exc, folder, name).problems
        except DataError as exc:  # a template whose real path leaves the folder
            problems += exc.problems
    if problems:
        return problems
    context: MemoContext | None
    if callable(sample):
        try:
            context = sample()
        except DataError:
            context = None
    else:
        context = sample
    if context is None:
        return problems
    for render in (render_html, render_markdown):
        try:
            render(context, folder)
        except DataError as exc:
            problems += exc.problems
    return problems
