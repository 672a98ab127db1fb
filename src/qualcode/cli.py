"""The `qualcode` command line: thin commands over the library, with progress and clear errors.

Exit codes: 0 done; 1 an unexpected failure; 2 the command could not run (bad arguments, not a project,
a broken manifest or config: nothing was written); 3 it ran, but some input files were set aside.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from qualcode.errors import QualcodeError
from qualcode.ingest import IngestReport, ingest_inbox
from qualcode.project import Project, init_project
from qualcode.samples import samples_dir
from qualcode.store import Store

EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE, EXIT_PARTIAL = 0, 1, 2, 3

app = typer.Typer(help="Offline qualitative coding of interview text into traceable evidence.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_show_locals=False)
console = Console()
console_err = Console(stderr=True)

ProjectDir = Annotated[Path, typer.Argument(help="The project folder (holds qualcode.yaml).",
                                            file_okay=False)]


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show debug logging.")] = False) -> None:
    handler = RichHandler(console=console_err, show_path=False, show_time=False, markup=False)
    logging.basicConfig(level=logging.WARNING, format="%(message)s", handlers=[handler])
    # --verbose opens qualcode's own logs only: other libraries may log text, and text never goes to a log
    logging.getLogger("qualcode").setLevel(logging.DEBUG if verbose else logging.WARNING)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn qualcode's named errors into a message and exit code 2, never a traceback."""
    try:
        yield
    except QualcodeError as exc:
        console_err.print(f"[bold red]error[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_UNUSABLE) from None


@app.command()
def init(directory: ProjectDir,
         name: Annotated[str | None, typer.Option(help="A name for the project.")] = None) -> None:
    """Create a project folder with qualcode.yaml, inbox/ and outputs/ (an existing one is left as it is)."""
    with _errors():
        project = init_project(directory, name=name)
    console.print(f"Project ready at {project.root}. Put transcripts in {project.inbox} and run "
              f"`qualcode ingest {directory}`.", highlight=False)


@app.command()
def ingest(directory: ProjectDir) -> None:
    """Read new files from the project's inbox into its store; already-ingested files are skipped."""
    with _errors():
        report = _ingest_with_progress(Project.open(directory))
    _print_report(report)
    raise typer.Exit(EXIT_PARTIAL if report.set_aside else EXIT_OK)


@app.command()
def segments(
    directory: ProjectDir,
    output: Annotated[Path | None, typer.Option("--out", "-o", help="Write CSV here instead of stdout.",
                                                dir_okay=False)] = None,
    source: Annotated[str | None, typer.Option(help="Only this source id.")] = None,
) -> None:
    """List every statement with its source, speaker, role, agency, question and offsets, as CSV."""
    with _errors():
        project = Project.open(directory)
        with Store(project.store_path) as store:
            frame = store.segments(source)
    if output is None:
        frame.to_csv(sys.stdout, index=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(output, index=False)
        console_err.print(f"{len(frame)} statements written to {output}", highlight=False)


@app.command()
def anonymise(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files to anonymise.", exists=True, dir_okay=False)
                     ] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for the anonymised copies and the report.",
                                             file_okay=False)] = None,
    key: Annotated[Path | None, typer.Option(help="Key file (placeholder -> original) to continue and update; "
                                             "keep it away from shared folders.", dir_okay=False)] = None,
    evaluate: Annotated[Path | None, typer.Option(help="Instead: measure recall and precision on a labelled "
                                                  "JSON-lines file.", exists=True, dir_okay=False)] = None,
) -> None:
    """Anonymise files outside a project (copies + a report CSV for a human check), or measure the gate."""
    from qualcode.anonymise.detector import Detector
    from qualcode.anonymise.evaluate import evaluate as measure
    from qualcode.anonymise.evaluate import load_labelled
    from qualcode.anonymise.files import anonymise_files

    with _errors():
        if evaluate is not None:
            table = measure(Detector(), load_labelled(evaluate))
            shown = table.astype(object).where(table.notna(), "")
            console.print(shown.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
            return
        if not paths or out is None:
            raise typer.BadParameter("give PATHS... and --out DIR, or --evaluate LABELS")
        with Progress(TextColumn("anonymise"), BarColumn(), TimeElapsedColumn(), console=console_err,
                      transient=True) as bar:
            bar.add_task("anonymise", total=None)
            result = anonymise_files(list(paths), out, detector=Detector(), key=key)
    held = result.report[result.report["status"].str.startswith(("quarantined", "not read"))]
    console.print(f"{len(result.written)} anonymised copies and {out / 'anonymisation-report.csv'} written; "
                      f"{held['source'].nunique()} file(s) held back (see the report).", highlight=False)
    raise typer.Exit(EXIT_PARTIAL if len(held) else EXIT_OK)


@app.command()
def demo(
    directory: Annotated[Path | None, typer.Option("--dir", help="Build the demo project here "
                                                   "(default: a new temporary folder).", file_okay=False)] = None,
    samples: Annotated[Path | None, typer.Option(help="The corpora/samples folder to use.",
                                                 file_okay=False)] = None,
) -> None:
    """Run the main job on the bundled review-week sample, one on-site day at a time."""
    with _errors():
        week = (samples or samples_dir()) / "review_week"
        root = directory or Path(tempfile.mkdtemp(prefix="qualcode-demo-"))
        project = init_project(root, name="Demo: LA3 safeguarding peer review (sample)")
        console.print(f"Demo project: {project.root}", highlight=False)
        days = sorted(p for p in week.iterdir() if p.is_dir() and p.name.startswith("day"))
        rejected = 0
        heard: set[str] = set()
        for day in days:
            shutil.copytree(day, project.inbox / day.name, dirs_exist_ok=True)
            report = _ingest_with_progress(project, label=day.name)
            rejected += len(report.set_aside)
            _print_report(report, title=day.name)
            with Store(project.store_path) as store:
                agencies = set(store.segments()["agency"]) - {"unknown"}
            if agencies - heard:
                console.print(f"  first heard today: {', '.join(sorted(agencies - heard))}", highlight=False)
            heard |= agencies
        with Store(project.store_path) as store:
            frame = store.segments()
        export = project.outputs / "segments.csv"
        frame.to_csv(export, index=False)
    _print_voices(frame)
    console.print(f"Outputs: {project.outputs}  ({len(frame)} statements in {export.name})", highlight=False)
    raise typer.Exit(EXIT_PARTIAL if rejected else EXIT_OK)


def _ingest_with_progress(project: Project, label: str = "ingest") -> IngestReport:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console_err, transient=True) as bar:
        task = bar.add_task(label, total=None)
        return ingest_inbox(project, progress=lambda done, total: bar.update(task, completed=done, total=total))


def _print_report(report: IngestReport, title: str = "ingest") -> None:
    segments = sum(o.segments for o in report.added)
    console.print(f"[bold]{title}[/]: {len(report.added)} added ({segments} statements), "
              f"{len(report.skipped)} already ingested, {len(report.rejected)} set aside, "
              f"{len(report.quarantined)} quarantined", highlight=False)
    for outcome in report.rejected:
        console_err.print(f"[red]set aside[/] {outcome.reason}  -> inbox/_rejected/", highlight=False,
                          soft_wrap=True)
    for outcome in report.quarantined:
        console_err.print(f"[red]quarantined[/] {outcome.reason}  -> inbox/_quarantine/", highlight=False,
                          soft_wrap=True)


def _print_voices(segments: pd.DataFrame) -> None:
    table = Table(title="Voices heard in the sample week")
    for column in ("agency", "roles", "sources", "statements"):
        table.add_column(column)
    by_agency = segments.groupby("agency").agg(roles=("role", "nunique"), sources=("source_id", "nunique"),
                                               statements=("segment_id", "count"))
    for agency, row in by_agency.iterrows():
        table.add_row(str(agency), *(str(row[c]) for c in ("roles", "sources", "statements")))
    console.print(table)


if __name__ == "__main__":  # pragma: no cover
    app()
