"""Safe YAML loading that remembers where every value came from.

PyYAML's safe loader refuses tags such as ``!!python/object``; on top of it we keep the line
of every mapping key and list item so validation errors can say "providers/x.yaml:12".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ddwizard.core.errors import DataError, Problem

MAX_YAML_BYTES = 2 * 1024 * 1024

# libyaml's safe loader when PyYAML was built with it (several times faster), else pure Python.
SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # type: ignore[assignment]

PathKey = tuple[str | int, ...]
ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class LoadedYaml:
    """A parsed document with the 1-based line of every path inside it."""

    data: Any
    file: str
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """Line of the deepest known prefix of ``path`` (pydantic paths may go deeper)."""
        key = tuple(path)
        while True:
            if key in self.lines:
                return self.lines[key]
            if not key:
                return None
            key = key[:-1]


def read_text(path: Path, *, max_bytes: int = MAX_YAML_BYTES, what: str = "file") -> str:
    """Read a UTF-8 text file with clear errors for missing, huge, binary or empty files."""
    return decode_text(read_checked_bytes(path, max_bytes=max_bytes, what=what), str(path), what)


def read_checked_bytes(path: Path, *, max_bytes: int = MAX_YAML_BYTES, what: str = "file") -> bytes:
    """The file's bytes, read once, with clear errors for missing, folder or huge files."""
    name = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DataError.single(f"{what} not found", file=name) from None
    except OSError as exc:
        raise DataError.single(f"cannot read {what}: {exc.strerror}", file=name) from None
    if path.is_dir():
        raise DataError.single(f"expected a {what}, found a folder", file=name)
    if size > max_bytes:
        raise DataError.single(
            f"{what} is too large ({size:,} bytes; the limit is {max_bytes:,})", file=name
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError.single(f"cannot read {what}: {exc.strerror}", file=name) from None
    if len(raw) > max_bytes:  # grew between stat and read
        raise DataError.single(
            f"{what} is too large ({len(raw):,} bytes; the limit is {max_bytes:,})", file=name
        )
    return raw


def decode_text(raw: bytes, file: str, what: str = "file") -> str:
    """UTF-8 text of bytes already read; binary or empty content is a DataError naming the file."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError.single(
            f"not valid UTF-8 text (byte {exc.start}); save the file as UTF-8", file=file, line=line
        ) from None
    if not text.strip():
        raise DataError.single(f"{what} is empty", file=file)
    return text.removeprefix("\ufeff")


def parse_yaml(text: str, file: str) -> LoadedYaml:
    """Parse one YAML document safely, recording line numbers and refusing duplicate keys."""
    try:
        node = yaml.compose(text, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, file) from None
    if node is None:
        raise DataError.single("file is empty", file=file)
    lines: dict[PathKey, int] = {(): node.start_mark.line + 1}
    problems: list[Problem] = []
    _walk(node, (), lines, problems, file)
    if problems:
        raise DataError(problems)
    loader = SafeLoader(text)
    try:
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, file) from None
    except ValueError as exc:  # e.g. an impossible date such as 2026-02-30
        raise DataError.single(
            f"invalid value: {exc}", file=file, line=_unconstructable_line(node)
        ) from None
    finally:
        loader.dispose()
    return LoadedYaml(data=data, file=file, lines=lines)


def _unconstructable_line(node: yaml.Node) -> int | None:
    """Line of the first scalar PyYAML cannot build (an impossible timestamp), if any."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:timestamp":
            try:
                yaml.SafeLoader("").construct_yaml_timestamp(node)
            except ValueError:
                return node.start_mark.line + 1
        return None
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            children += [key, value]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    for child in children:
        line = _unconstructable_line(child)
        if line is not None:
            return line
    return None


def load_yaml_file(
    path: Path, *, max_bytes: int = MAX_YAML_BYTES, what: str = "file"
) -> LoadedYaml:
    return parse_yaml(read_text(path, max_bytes=max_bytes, what=what), str(path))


def _yaml_error(exc: yaml.YAMLError, file: str) -> DataError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"malformed YAML: {context + ', ' if context else ''}{problem}"
    if "could not determine a constructor" in str(exc) or "tag" in str(problem):
        message = f"YAML tags are not allowed here ({problem})"
    return DataError.single(message, file=file, line=line)


def _walk(
    node: yaml.Node, path: PathKey, lines: dict[PathKey, int], problems: list[Problem], file: str
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(
                    Problem(
                        f"duplicate key '{key}' (first at line {seen[key]})",
                        file=file,
                        line=line,
                        field=dotted(path),
                    )
                )
            seen[key] = line
            lines[(*path, key)] = line
            _walk(value_node, (*path, key), lines, problems, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _walk(item, (*path, index), lines, problems, file)


def dotted(path: Sequence[str | int]) -> str:
    """``("sections", 0, "questions", 2, "id")`` -> ``sections[0].questions[2].id``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def validation_problems(
    exc: ValidationError, source: LoadedYaml | None, file: str | None = None
) -> list[Problem]:
    """Turn pydantic errors into problems with file, line and field path."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = [p for p in err["loc"] if isinstance(p, str | int)]
        # Drop pydantic's union/function tags, which are not YAML keys.
        loc = [
            p for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith("function-")))
        ]
        line = source.line_of(loc) if source else None
        problems.append(
            Problem(
                _plain_message(err),
                file=source.file if source else file,
                line=line,
                field=dotted(loc) or None,
            )
        )
    return problems


def _plain_message(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; unknown fields are not allowed)"
    if kind == "missing":
        return "required field is missing"
    message = str(err.get("msg", "invalid value"))
    message = message.removeprefix("Value error, ")
    if "input" in err and kind not in ("model_type",):
        value = err["input"]
        if isinstance(value, str | int | float | bool) and len(repr(value)) <= 60:
            message += f" (got {value!r})"
    return message


def validate_model(model: type[ModelT], source: LoadedYaml) -> ModelT:
    try:
        return model.model_validate(source.data)
    except ValidationError as exc:
        raise DataError(validation_problems(exc, source)) from None
