"""One colour per code, the same everywhere a person sees it: the workbench, QualCoder, NVivo, ATLAS.ti, MAXQDA."""

from __future__ import annotations

from qualcode.codebook.model import Codebook

# Hue families for the lines of enquiry (top-level codes), in order; each holds shades for the codes within
# it, in the order siblings take them (contrasting neighbours first). Every value is one of QualCoder's own
# 120 colours (its REFI-QDA import snaps any other colour to the nearest of those), so a colour survives a
# QualCoder import unchanged; NVivo, ATLAS.ti and MAXQDA take any `#RRGGBB`.
PALETTE: tuple[tuple[str, ...], ...] = (
    ("#81BEF7", "#CEE3F6", "#5882FA", "#A9D0F5", "#3498DB"),  # blue
    ("#F7BE81", "#F8ECE0", "#FAAC58", "#F6E3CE", "#F5D0A9"),  # orange
    ("#81F781", "#E0F8E0", "#58FA58", "#CEF6CE", "#A9F5A9"),  # green
    ("#BE81F7", "#ECE0F8", "#AC58FA", "#E3CEF6", "#D0A9F5"),  # purple
    ("#F78181", "#F8E0E0", "#FA5858", "#F6CECE", "#F5A9A9"),  # red
    ("#81F7F3", "#CEF6F5", "#58FAF4", "#A9F5F2", "#00F0F0"),  # cyan
    ("#F7FE2E", "#F5F6CE", "#DDE600", "#F2F5A9", "#F4FA58"),  # yellow
    ("#F7819F", "#F8E0E6", "#FA5882", "#F6CED8", "#F5A9BC"),  # pink
)


def code_colours(codebook: Codebook) -> dict[str, str]:
    """A `#RRGGBB` colour for every code: the hue family of its line of enquiry (its top-level code, by position
    among the top-level codes), the shade of its position among its siblings. The same codebook always gives the
    same colours; families and shades repeat beyond eight lines or five siblings."""
    known = {code.id for code in codebook.codes}
    parent_of = {code.id: code.parent if code.parent in known else None for code in codebook.codes}
    siblings: dict[str | None, list[str]] = {}
    for code in codebook.codes:
        siblings.setdefault(parent_of[code.id], []).append(code.id)
    lines = {code_id: number for number, code_id in enumerate(siblings.get(None, []))}

    def line_of(code_id: str) -> int:
        seen = {code_id}
        while (parent := parent_of[code_id]) is not None and parent not in seen:  # a cycle stops where it began
            seen.add(parent)
            code_id = parent
        return lines.get(code_id, 0)

    colours: dict[str, str] = {}
    for code in codebook.codes:
        family = PALETTE[line_of(code.id) % len(PALETTE)]
        parent = parent_of[code.id]
        position = 0 if parent is None else siblings[parent].index(code.id)
        colours[code.id] = family[position % len(family)]
    return colours
