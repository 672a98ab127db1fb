"""YAML files people edit by hand (codebooks, hypotheses): every mapping remembers its line for error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from qualcode.errors import QualcodeError

LINE = "__line__"


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that records the line each mapping starts on (as `__line__`)."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = {str(k): v for k, v in loader.construct_mapping(node, deep=True).items()}
    mapping[LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def load_with_lines(path: Path, error: type[QualcodeError], what: str) -> Any:
    """Parse `path`; unreadable or invalid YAML raises `error` naming the file and line."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise error("The file is not valid YAML.", path=path,
                    line=mark.line + 1 if mark is not None else None) from None
    except UnicodeDecodeError:
        raise error(f"The {what} is not UTF-8 text.", path=path) from None
    except OSError as exc:
        raise error(f"The {what} cannot be read ({exc.strerror}).", path=path) from None


def strip_lines(value: Any) -> Any:
    """The parsed data without the recorded lines, ready for validation."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k != LINE}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value
