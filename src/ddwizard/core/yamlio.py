"""Safe YAML loading that remembers where every value came from.

PyYAML's safe loader refuses tags such as ``!!python/object``; on top of it we keep the line
of every mapping key and list item so validation errors can say "providers/x.yaml:12".

Hostile or careless files are refused with their file and line, quickly:

* aliases may not expand the document beyond ``MAX_ALIAS_EXPANSION`` extra nodes (a
  500-byte "billion laughs" file would otherwise take minutes and gigabytes), and may not
  refer to themselves;
* nesting deeper than ``MAX_DEPTH`` levels is refused (no RecursionError);
* numbers are decimal: YAML 1.1 would read ``010`` as 8, ``0x1F`` as 31 and ``1:30`` as 90;
  here those stay text (a number question then reads ``010`` as 10), and integers longer
  than ``MAX_INT_DIGITS`` digits are refused.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ddwizard.core.errors import DataError, Problem
from ddwizard.core.text import control_character_problem

MAX_YAML_BYTES = 2 * 1024 * 1024
MAX_ALIAS_EXPANSION = 10_000
"""Nodes that aliases may add to a document beyond those written out in it."""
MAX_DEPTH = 100
"""Deepest nesting of mappings and lists accepted (our formats need fewer than ten)."""
MAX_INT_DIGITS = 30

# libyaml's safe loader when PyYAML was built with it (several times faster), else pure Python.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_DECIMAL_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$")
_DECIMAL_FLOAT = re.compile(
    r"^[-+]?(?:(?:0|[1-9][0-9_]*)\.[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?$"
)


class SafeLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The safe loader with decimal-only numbers (see the module docstring)."""

    yaml_implicit_resolvers: ClassVar[dict[Any, list[tuple[Any, Any]]]] = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_INT, _FLOAT)]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = str(node.value).replace("_", "").lstrip("+-")
        if len(digits) > MAX_INT_DIGITS:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"number is too large ({len(digits):,} digits; at most {MAX_INT_DIGITS})",
                node.start_mark,
            )
        return int(str(node.value).replace("_", ""))

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        text = str(node.value).replace("_", "")
        if len(text) > MAX_INT_DIGITS + 20:
            raise yaml.constructor.ConstructorError(
                None, None, f"number is too long ({len(text):,} characters)", node.start_mark
            )
        return float(text)


SafeLoader.add_constructor(_INT, SafeLoader.construct_yaml_int)
SafeLoader.add_constructor(_FLOAT, SafeLoader.construct_yaml_float)
SafeLoader.add_implicit_resolver(_INT, _DECIMAL_INT, list("-+0123456789"))
SafeLoader.add_implicit_resolver(_FLOAT, _DECIMAL_FLOAT, list("-+0123456789."))

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
    """The file's bytes, read once, with clear errors for missing, folder, special or huge
    files (a FIFO or ``/dev/zero`` would otherwise block or never end)."""
    name = str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DataError.single(f"{what} not found", file=name) from None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise DataError.single(f"cannot read {what}: {reason}", file=name) from None
    if stat.S_ISDIR(st.st_mode):
        raise DataError.single(f"expected a {what}, found a folder", file=name)
    if not stat.S_ISREG(st.st_mode):
        raise DataError.single(
            f"{what} must be a regular file (this is a device, pipe or socket)", file=name
        )
    if st.st_size > max_bytes:
        raise DataError.single(
            f"{what} is too large ({st.st_size:,} bytes; the limit is {max_bytes:,})", file=name
        )
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise DataError.single(f"cannot read {what}: {exc.strerror}", file=name) from None
    if len(raw) > max_bytes:  # grew between stat and read
        raise DataError.single(
            f"{what} is too large (more than {max_bytes:,} bytes, the limit)", file=name
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
    except RecursionError:
        raise DataError.single(
            f"nested too deeply (more than {MAX_DEPTH} levels)", file=file
        ) from None
    if node is None:
        raise DataError.single("file is empty", file=file)
    _check_shape(node, file)
    lines: dict[PathKey, int] = {(): node.start_mark.line + 1}
    problems: list[Problem] = []
    _walk(node, lines, problems, file)
    if problems:
        raise DataError(problems)
    loader = SafeLoader(text)
    try:
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, file) from None
    except (ValueError, OverflowError) as exc:  # e.g. an impossible date such as 2026-02-30
        raise DataError.single(
            f"invalid value: {exc}", file=file, line=_unconstructable_line(node)
        ) from None
    except RecursionError:
        raise DataError.single(
            f"nested too deeply (more than {MAX_DEPTH} levels)", file=file
        ) from None
    finally:
        loader.dispose()
    return LoadedYaml(data=data, file=file, lines=lines)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_shape(root: yaml.Node, file: str) -> None:
    """Refuse self-referring aliases, nesting deeper than MAX_DEPTH and alias bombs.

    Aliases make the composed document a graph that shares nodes; its size once every alias
    is expanded is computed bottom-up (each distinct node once), so the check itself is
    linear in the file however large the expansion would be.
    """
    size: dict[int, int] = {}
    depth_of: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            depth_of[key] = 1 + max((depth_of[id(c)] for c in _children(node)), default=0)
            if depth_of[key] > MAX_DEPTH:
                raise DataError.single(
                    f"nested too deeply (more than {MAX_DEPTH} levels)",
                    file=file,
                    line=node.start_mark.line + 1,
                )
            continue
        if key in size:
            continue
        if key in on_path:
            raise DataError.single(
                "a YAML alias refers to the list or mapping that contains it",
                file=file,
                line=node.start_mark.line + 1,
            )
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                raise DataError.single(
                    "a YAML alias refers to the list or mapping that contains it",
                    file=file,
                    line=child.start_mark.line + 1,
                )
            if id(child) not in size:
                stack.append((child, False))
    expanded = size[id(root)]
    distinct = len(size)
    if expanded - distinct > MAX_ALIAS_EXPANSION:
        raise DataError.single(
            f"YAML aliases expand this document to {_count(expanded)} values "
            f"(at most {MAX_ALIAS_EXPANSION:,} more than are written out); refusing to expand it",
            file=file,
            line=_first_alias_line(root),
        )


def _count(n: int) -> str:
    return f"{n:,}" if n < 10**12 else f"about 10^{len(str(n)) - 1}"


def _first_alias_line(root: yaml.Node) -> int | None:
    """Line of the first place a node already seen is used again (an alias)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        for child in reversed(_children(node)):
            if id(child) in seen:  # the alias sits in ``node``; ``child`` marks the anchor
                return node.start_mark.line + 1
            seen.add(id(child))
            stack.append(child)
    return None


def _unconstructable_line(root: yaml.Node) -> int | None:
    """Line of the first scalar PyYAML cannot build (an impossible timestamp), if any."""
    stack = [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
            try:
                yaml.SafeLoader("").construct_yaml_timestamp(node)
            except (ValueError, OverflowError):
                return node.start_mark.line + 1
        stack.extend(reversed(_children(node)))
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
    if isinstance(exc, yaml.constructor.ConstructorError) and str(problem).startswith("number"):
        message = str(problem)
    if "could not determine a constructor" in str(exc) or "tag" in str(problem):
        message = f"YAML tags are not allowed here ({problem})"
    return DataError.single(message, file=file, line=line)


def _walk(root: yaml.Node, lines: dict[PathKey, int], problems: list[Problem], file: str) -> None:
    """Record the line of every path; report duplicate keys (iterative: no recursion limit)."""
    stack: list[tuple[yaml.Node, PathKey]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, _value in node.value:
                key = (
                    str(key_node.value)
                    if isinstance(key_node, yaml.ScalarNode)
                    else "(complex key)"
                )
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
                if control_character_problem(key) is not None:
                    problems.append(
                        Problem(
                            f"key '{key}' {control_character_problem(key)}",
                            file=file,
                            line=line,
                            field=dotted(path) or None,
                        )
                    )
            stack.extend(
                (
                    (
                        v,
                        (
                            *path,
                            str(k.value) if isinstance(k, yaml.ScalarNode) else "(complex key)",
                        ),
                    )
                    for k, v in reversed(node.value)
                )
            )
        elif isinstance(node, yaml.ScalarNode) and isinstance(node.value, str):
            # No YAML file ddwizard reads needs control characters; in text they would end
            # up on the terminal or in the memo.
            problem = control_character_problem(node.value, multiline=True)
            if problem is not None and all(control_character_problem(str(p)) is None for p in path):
                problems.append(
                    Problem(problem, file=file, line=node.start_mark.line + 1, field=dotted(path))
                )
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines[(*path, index)] = item.start_mark.line + 1
            stack.extend(
                (item, (*path, index)) for index, item in reversed(list(enumerate(node.value)))
            )


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
