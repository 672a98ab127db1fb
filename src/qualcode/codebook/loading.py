"""Reading a codebook file with errors that name the file, the line and the code id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from qualcode.codebook.model import Codebook
from qualcode.errors import BadCodebook as BadCodebook
from qualcode.yamlfile import load_with_lines, strip_lines

_HERE = Path(__file__).resolve().parent
# Bundled codebooks: inside the wheel, or in the source checkout.
BUNDLED = next((p for p in (_HERE.parent / "_codebooks", _HERE.parents[2] / "codebooks") if p.is_dir()),
               _HERE.parents[2] / "codebooks")


def resolve_codebook_path(name: str | Path, base: Path | None = None) -> Path:
    """A path, a path relative to `base`, or the name of a bundled codebook (`safeguarding_lines_of_enquiry`)."""
    candidates = [Path(name)]
    if base is not None:
        candidates.append(base / name)
    candidates += [BUNDLED / str(name), BUNDLED / f"{name}.yaml"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise BadCodebook(f"No codebook file or bundled codebook named {str(name)!r}.", path=Path(name))


def load_codebook(path: Path) -> Codebook:
    """Load and validate a codebook; any problem is a `BadCodebook` naming file, line and code id."""
    raw = load_with_lines(path, BadCodebook, "codebook")
    if not isinstance(raw, dict) or not isinstance(raw.get("codes"), list):
        raise BadCodebook("A codebook needs name, version and a list of codes.", path=path, line=1)
    codes = [c for c in raw["codes"] if isinstance(c, dict)]
    lines = {str(c.get("id")): int(c.get("__line__", 0)) for c in codes}
    _check_structure(path, codes)
    try:
        codebook = Codebook.model_validate(strip_lines(raw))
    except ValidationError as exc:
        error = exc.errors()[0]
        location = list(error["loc"])
        line, code_id = raw.get("__line__"), None
        if len(location) >= 2 and location[0] == "codes" and isinstance(location[1], int):
            code = raw["codes"][location[1]]
            code_id, line = code.get("id"), code.get("__line__")
        field = ".".join(str(p) for p in location[2:] if not isinstance(p, int)) or ".".join(map(str, location))
        where = f"code {code_id!r}, " if code_id else ""
        raise BadCodebook(f"{where}field `{field}`: {error['msg']}.", path=path, line=line) from None
    _check_patterns(path, codebook, lines)
    return codebook


def _check_structure(path: Path, codes: list[dict[str, Any]]) -> None:
    seen: dict[str, int] = {}
    for code in codes:
        code_id, line = str(code.get("id")), code.get("__line__")
        if code_id in seen:
            raise BadCodebook(f"Duplicate code id {code_id!r} (first at line {seen[code_id]}).", path=path,
                              line=line)
        seen[code_id] = int(line or 0)
    for code in codes:
        parent = code.get("parent")
        if parent is not None and str(parent) not in seen:
            raise BadCodebook(f"Code {code.get('id')!r} names an unknown parent {parent!r}.", path=path,
                              line=code.get("__line__"))


def _check_patterns(path: Path, codebook: Codebook, lines: dict[str, int]) -> None:
    if not any(code.patterns for code in codebook.codes):
        return
    from spacy.matcher import Matcher  # here: reading a project's settings loads no spaCy
    from spacy.vocab import Vocab

    matcher = Matcher(Vocab())
    for code in codebook.codes:
        for number, pattern in enumerate(code.patterns):
            try:
                matcher.add(f"{code.id}:{number}", [pattern])
            except (ValueError, TypeError, KeyError) as exc:
                first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise BadCodebook(f"Code {code.id!r} has a bad spaCy token pattern #{number + 1}: {first_line}",
                                  path=path, line=lines.get(code.id)) from None
