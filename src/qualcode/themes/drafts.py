"""Drafts from a theme for the team to edit: a code for the codebook, a hypothesis for hypotheses.yaml."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import yaml

from qualcode.codebook.model import Valence

EXAMPLES = 12  # statements a drafted code takes as examples: its theme's most central first


def draft_code(label: str, keywords: str, statements: int, roles: str, examples: Iterable[str],
               prefix: str = "emerging", taken: Iterable[str] = ()) -> dict[str, Any]:
    """A candidate code from a theme: an id not in `taken`, its label, a definition drafted from its keywords, who
    raised it, and up to `EXAMPLES` of its statements as examples."""
    words = [w for w in keywords.split(", ") if w] or [label]
    about = f"{', '.join(words[:-1])} and {words[-1]}" if len(words) > 1 else words[0]
    taken = set(taken)
    code_id, n = f"{prefix}.{slug(label)}", 2
    while code_id in taken:  # two themes can share a label; ids must stay unique in the codebook
        code_id, n = f"{prefix}.{slug(label)}_{n}", n + 1
    return {"id": code_id, "label": label[:1].upper() + label[1:],
            "definition": f"Statements about {about} (drafted from {statements} statements no code held; rewrite "
                          "before use).",
            "include": [f"raised by: {roles}"] if roles else [],
            "examples": list(dict.fromkeys(examples))[:EXAMPLES]}


def draft_hypothesis(hypothesis_id: str, label: str, keywords: str, agencies: str, codes: list[str],
                     supported_by: Valence) -> str:
    """A hypothesis from a theme, as a YAML entry to edit into the `hypotheses:` list of hypotheses.yaml."""
    words = [w for w in keywords.split(", ") if w and " " not in w][:6]
    entry = {"id": hypothesis_id,
             "statement": f"{label[:1].upper() + label[1:]}: a concern the lines of enquiry do not name "
                          f"(raised by {agencies or 'more than one voice'}). Rewrite as a claim the week can test.",
             "codes": codes, "supported_by": supported_by, "keywords": words}
    header = "# Drafted from an emerging theme: edit the statement, then add it under `hypotheses:`.\n"
    return header + yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, width=110)


def slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40] or "theme"
