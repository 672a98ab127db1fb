"""A project's codebook growing from its own statements: each change saved as a new version beside it.

The file a project's codebook came from is never rewritten (a bundled one cannot be, and a team's own may carry
comments a round trip would lose): the new version goes to `codebooks/NAME-VERSION.yaml` in the project and
`coding.codebook` in `qualcode.yaml` is pointed at it. Its content is new, so the coding digest changes and the
next run (or a relearn) recodes with it.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from qualcode.codebook.model import Codebook
from qualcode.errors import BadConfig, BadDecisions
from qualcode.exchange.codebook import codebook_yaml, slug
from qualcode.project import CONFIG_NAME, Project

FOLDER = "codebooks"
_SETTING = re.compile(r"^(?P<lead>\s+codebook:\s*)(?P<value>[^\s#]+|\"[^\"]*\"|'[^']*')(?P<rest>.*)$")


def next_version(version: str) -> str:
    """'1.2' -> '1.2+1' -> '1.2+2': the version a team gave it, and how many times it grew here since."""
    found = re.fullmatch(r"(?P<base>.*)\+(?P<n>\d+)", version)
    return f"{found['base']}+{int(found['n']) + 1}" if found else f"{version}+1"


def with_examples(codebook: Codebook, code_id: str, texts: list[str]) -> Codebook:
    """The codebook with `texts` added to the examples of `code_id` (those it already has are not repeated), as its
    next version."""
    if code_id not in {c.id for c in codebook.leaves}:
        raise BadDecisions(f"The code is not in codebook {codebook.name!r}.")
    codes = [c.model_copy(update={"examples": [*c.examples, *[t for t in texts if t not in c.examples]]})
             if c.id == code_id else c for c in codebook.codes]
    return codebook.model_copy(update={"codes": codes, "version": next_version(codebook.version)})


def with_code(codebook: Codebook, code: dict[str, object]) -> Codebook:
    """The codebook with a new code (a leaf at the top level unless `code` names a parent), as its next version.

    Raises:
        BadDecisions: the id is taken, or the code is not valid (the message says which field, never its value).
    """
    from pydantic import ValidationError

    from qualcode.codebook.model import Code

    if code.get("id") in {c.id for c in codebook.codes}:
        raise BadDecisions("The codebook already has a code with that id.", hint="Choose another id.")
    try:
        made = Code.model_validate(code)
        return codebook.model_copy(update={"codes": [*codebook.codes, made],
                                           "version": next_version(codebook.version)})
    except ValidationError as invalid:
        fields = ", ".join(sorted({".".join(str(p) for p in e["loc"]) or "code" for e in invalid.errors()}))
        raise BadDecisions(f"The new code is not valid: check {fields}.",
                           hint="An id is lower-case words joined by dots or underscores (emerging.interpreters); "
                                "a label and a definition must say something.") from None


def save_version(project: Project, codebook: Codebook) -> Path:
    """Write a new codebook version into the project and point `coding.codebook` at it; returns its path."""
    path = project.root / FOLDER / f"{slug(codebook.name)}-{slug(codebook.version)}.yaml"
    config = project.root / CONFIG_NAME
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    coding = next((i for i, line in enumerate(lines) if re.fullmatch(r"coding:\s*(#.*)?", line.rstrip())), None)
    setting = None
    if coding is not None:
        end = next((i for i in range(coding + 1, len(lines))
                    if lines[i].strip() and not lines[i].startswith((" ", "\t", "#"))), len(lines))
        setting = next((i for i in range(coding + 1, end) if _SETTING.match(lines[i])), None)
    if setting is None:
        raise BadConfig("qualcode.yaml has no `codebook:` setting under `coding:` to point at the new version.",
                        path=config, hint="Add `coding:` with `codebook: NAME` (README: The project folder).")
    found = _SETTING.match(lines[setting])
    assert found is not None
    _write_atomically(path, codebook_yaml(codebook))
    ending = "\n" if lines[setting].endswith("\n") else ""
    lines[setting] = f"{found['lead']}{FOLDER}/{path.name}{found['rest'].rstrip()}{ending}"
    _write_atomically(config, "".join(lines))
    return path


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staged = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(staged, path)
    except BaseException:
        Path(staged).unlink(missing_ok=True)
        raise
