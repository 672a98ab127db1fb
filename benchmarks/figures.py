"""One row of a benchmark's output, and the table the entry point prints: figures measured side by side."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO


@dataclass(frozen=True)
class Figure:
    """A measurement, its ratio to the baseline measured beside it in the same run, and the target it meets."""

    group: str
    measurement: str
    value: float
    unit: str
    ratio: float | None = None
    baseline: str = ""
    target: str = ""
    met: bool | None = None


def _value(figure: Figure) -> str:
    if figure.unit in ("macro F1", "recall", "share"):
        return f"{figure.value:.2f}"
    if figure.unit == "libraries":
        return f"{figure.value:.0f}"
    if figure.value < 1:
        return f"{figure.value:.3f}"
    return f"{figure.value:,.1f}" if figure.value < 100 else f"{figure.value:,.0f}"


def rows(figures: Iterable[Figure]) -> list[list[str]]:
    return [[f.group, f.measurement, _value(f), f.unit,
             "" if f.ratio is None else f"{f.ratio:.2f}x {f.baseline}".rstrip(),
             f.target + ("" if f.met is None else (": met" if f.met else ": NOT met"))] for f in figures]


HEADER = ["benchmark", "measurement", "value", "unit", "ratio", "target"]


def print_figures(figures: Iterable[Figure], file: TextIO | None = None) -> None:
    table = [HEADER, *rows(figures)]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
    for n, row in enumerate(table):
        print("  ".join(cell.ljust(width) if i < 2 or i > 3 else cell.rjust(width)
                        for i, (cell, width) in enumerate(zip(row, widths, strict=True))).rstrip(), file=file)
        if n == 0:
            print("  ".join("-" * w for w in widths), file=file)


def markdown(figures: Iterable[Figure]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in rows(figures)]
    return "\n".join(lines) + "\n"
