"""Shared fixtures: the real spaCy pipeline, the real sample corpora, and ingested projects (built once)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import pickle
import re
import shutil
import sqlite3
import textwrap
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest
from filelock import FileLock

# OpenMP threads (torch's, running the embedding model; scikit-learn's) sleep while they wait rather than spin:
# on a shared two-core machine a spinning thread holds the core its partner needs, and the fast tier took
# 60 % longer. Read when the runtime loads, so before the imports below (spaCy's loads torch); subprocesses
# the tests start inherit it. The number of threads is unchanged, and so is every result.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from qualcode.anonymise.detector import Detector
from qualcode.coders import Embedder
from qualcode.coders.backends import EMBEDDING_BACKENDS, BaseEmbedder
from qualcode.coders.packaged import MODELS_ENV
from qualcode.nlp import sentence_pipeline
from qualcode.project import Project, init_project
from qualcode.samples import week_nights
from qualcode.segment import Segmenter
from qualcode.workspace.ingest import ingest_inbox
from qualcode.workspace.reports import Report

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "corpora" / "samples"
REVIEW_WEEK = SAMPLES / "review_week"
EVALUATION = SAMPLES / "evaluation"
GOLD = REPO / "corpora" / "gold"
REALDATA = REPO.parent / "shared" / "realdata"  # real material by other people, beside the checkout
SEEDED = REPO / "tests" / "data" / "seeded"
ARTIFACTS = REPO / "test-artifacts"  # screenshots and other things a person may want to look at after CI
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # nothing of its own reaches the network
# the machine's user cache (read before any test moves HOME): subprocesses of the tests share it as projects do
USER_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
T = TypeVar("T")
WEEK_START = dt.date(2026, 3, 9)  # the sample review week runs Monday 9 to Thursday 12 March 2026


@pytest.fixture(scope="session", autouse=True)
def one_blas_thread() -> Iterator[None]:
    """BLAS on one thread in the test process. The coding engine's many small logistic-regression fits ran 20
    to 30 times slower with OpenBLAS's two threads spinning on a shared two-core machine, with the same
    results; the models' own thread settings are left as they are."""
    import scipy.linalg  # noqa: F401  (loads SciPy's own OpenBLAS, so the limit covers it too)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture(scope="session")
def segmenter() -> Segmenter:
    return Segmenter(sentence_pipeline())


@pytest.fixture(scope="session")
def detector() -> Detector:
    """The real detector: presidio on the bundled spaCy model with qualcode's recognisers."""
    return Detector()


def make_project(root: Path, *sample_dirs: Path) -> Project:
    """A fresh project whose inbox holds copies of the given sample folders."""
    project = init_project(root)
    for folder in sample_dirs:
        shutil.copytree(folder, project.inbox / folder.name, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("README.md", "hypotheses.yaml", "truth.yaml", "stance.yaml"))
    return project


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], T]
               ) -> tuple[T, Path, Path]:
    """A shared project fixture built by one process however many pytest-xdist workers ask for it: the first to
    ask builds it under a file lock in the folder all workers share; every worker reads the result and works on
    its own copy of the folder (pytest-xdist's documented pattern for session fixtures). Returns the value, the
    folder it was built in and this worker's folder (the same one without workers)."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        folder = tmp_path_factory.mktemp(name)
        return build(folder), folder, folder
    shared = tmp_path_factory.getbasetemp().parent / f"shared-{name}"
    built = shared / "built.pickle"
    with FileLock(f"{shared}.lock"):
        if not built.is_file():
            shutil.rmtree(shared / "project", ignore_errors=True)
            (shared / "project").mkdir(parents=True)
            built.write_bytes(pickle.dumps(build(shared / "project")))
    own = tmp_path_factory.mktemp(name) / "project"
    shutil.copytree(shared / "project", own)
    return pickle.loads(built.read_bytes()), shared / "project", own


def rebased(path: Path, built_in: Path, own: Path) -> Path:
    """`path`, inside the folder a fixture was built in, as it is in this worker's copy."""
    return own / path.relative_to(built_in) if path.is_relative_to(built_in) else path


@pytest.fixture(scope="session")
def review_week_project(tmp_path_factory: pytest.TempPathFactory, segmenter: Segmenter,
                        detector: Detector) -> Project:
    """The whole review_week sample, ingested day folder by day folder (read-only for tests)."""
    def build(folder: Path) -> Project:
        project = init_project(folder)
        for night in week_nights(REVIEW_WEEK):
            for each in night:
                shutil.copytree(each, project.inbox / each.name)
            report = ingest_inbox(project, segmenter=segmenter, detector=detector)
            assert not report.set_aside, [o.reason for o in report.set_aside]
        return project

    _, _, own = built_once(tmp_path_factory, "review_week", build)
    return Project.open(own)


@pytest.fixture(scope="session")
def evaluation_project(tmp_path_factory: pytest.TempPathFactory, segmenter: Segmenter,
                       detector: Detector) -> Project:
    def build(folder: Path) -> Project:
        project = make_project(folder, EVALUATION)
        report = ingest_inbox(project, segmenter=segmenter, detector=detector)
        assert not report.set_aside, [o.reason for o in report.set_aside]
        return project

    _, _, own = built_once(tmp_path_factory, "evaluation", build)
    return Project.open(own)


def sample_files(*folders: Path) -> list[Path]:
    from qualcode.workspace.inbox import inbox_files

    return [f for folder in folders for f in inbox_files(folder) if f.name != "README.md"
            and f.name not in ("hypotheses.yaml", "truth.yaml", "stance.yaml")]


@pytest.fixture(scope="session")
def review_week_reports(tmp_path_factory: pytest.TempPathFactory, segmenter: Segmenter,
                        detector: Detector) -> tuple[Project, list[Report]]:
    """The review week run as the team lives it: each day ingested, coded and reported (read-only for tests)."""
    from qualcode.workspace.coding import code_project
    from qualcode.workspace.reports import build_report
    from qualcode.workspace.wiring import project_engine

    def build(folder: Path) -> list[Report]:
        project = init_project(folder)
        shutil.copyfile(REVIEW_WEEK / "hypotheses.yaml", project.root / "hypotheses.yaml")
        engine = project_engine(project)
        reports = []
        for number, night in enumerate(week_nights(REVIEW_WEEK)):
            for each in night:
                shutil.copytree(each, project.inbox / each.name)
            ingest_inbox(project, segmenter=segmenter, detector=detector)
            code_project(project, engine)
            reports.append(build_report(project, WEEK_START + dt.timedelta(days=number)))
        return reports

    reports, built_in, own = built_once(tmp_path_factory, "review_week_reports", build)
    return Project.open(own), [dataclasses.replace(r, folder=rebased(r.folder, built_in, own)) for r in reports]


@pytest.fixture(scope="session")
def review_week_vectors(review_week_reports: tuple[Project, list[Report]]) -> Path:
    """The bundled model's vectors of every text that coding the review week embeds (its statements, its
    questions, the default codebook's texts), as coding the week left them in its project's embedding cache.
    Read-only: `copy_project` copies it into a copy, so coding the copy embeds only what is new."""
    project, _ = review_week_reports
    assert project.embedding_cache.is_file()
    return project.embedding_cache


def copy_project(source: Project, root: Path, vectors: Path | None = None) -> Project:
    """A copy of a shared project fixture, for a test that writes (shared fixtures are never written to); with
    `vectors`, that embedding cache as the copy's (the vectors are keyed by the model's weights, so a vector
    of another model is never used)."""
    shutil.copytree(source.root, root)
    copy = Project.open(root)
    if vectors is not None:
        copy.embedding_cache.parent.mkdir(parents=True, exist_ok=True)
        read, write = sqlite3.connect(f"file:{vectors}?mode=ro", uri=True), sqlite3.connect(copy.embedding_cache)
        try:
            read.backup(write)  # whole, with anything still in the write-ahead log
        finally:
            read.close()
            write.close()
    return copy


class HashingBackend(BaseEmbedder):
    """A tiny deterministic embedding backend for tests where the model is not the point: each word hashed
    into one of `DIMENSION` buckets (a signed bag of words), as a unit vector. Registered only by the
    `hashing_backend` fixture, never in qualcode."""

    name = "hashing"
    DIMENSION = 256
    WORD = re.compile(r"\w+")

    @property
    def dimension(self) -> int:
        return self.DIMENSION

    @cached_property
    def identity(self) -> str:
        return f"{self.name}:{hashlib.sha256(f'{self.WORD.pattern} {self.DIMENSION}'.encode()).hexdigest()}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.DIMENSION), dtype=np.float32)
        for row, text in enumerate(texts):
            words = self.WORD.findall(text.lower()) or [""]
            for word in words:
                digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.DIMENSION
                vectors[row, bucket] += 1.0 if digest[4] & 1 else -1.0
        norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return np.asarray(vectors / norms, dtype=np.float32)


def built_offline(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Embedder]:
    """An embedder whose model this machine builds (the static and int8 paths), built once into a fresh models
    folder with every socket refused: nothing may be downloaded. For module-scoped fixtures."""
    from pytest_socket import disable_socket, enable_socket

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(MODELS_ENV, str(tmp_path_factory.mktemp("models")))
        embedder = Embedder(backend=backend)  # type: ignore[arg-type]
        disable_socket(allow_unix_socket=True)
        try:
            embedder.encode(["built once"])
        finally:
            enable_socket()
        yield embedder


@pytest.fixture
def hashing_backend() -> Iterator[type[HashingBackend]]:
    """`HashingBackend` registered as the `hashing` embedding backend for one test."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(EMBEDDING_BACKENDS, HashingBackend.name, HashingBackend)
        yield HashingBackend


# A sitecustomize that records and refuses every attempt to reach beyond this machine, in any process started
# with it (Prefect's ephemeral server and Dask workers included): only loopback and Unix sockets are allowed.
NETWORK_GUARD = textwrap.dedent("""
    import ipaddress, os, socket
    _log = os.environ["QUALCODE_NETWORK_LOG"]
    _LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "", None}
    def _refuse(what, target):
        with open(_log, "a") as fh:
            fh.write(f"{what} {target!r}\\n")
        raise OSError("network access blocked by the qualcode test suite")
    def _local(host):
        if host in _LOCAL_NAMES:
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    _connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex
    def connect(self, address):
        if self.family == getattr(socket, "AF_UNIX", None) or _local(address[0]):
            return _connect(self, address)
        _refuse("connect", address)
    def connect_ex(self, address):
        if self.family == getattr(socket, "AF_UNIX", None) or _local(address[0]):
            return _connect_ex(self, address)
        _refuse("connect", address)
    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    _getaddrinfo = socket.getaddrinfo
    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if _local(name):
            return _getaddrinfo(host, *args, **kwargs)
        _refuse("getaddrinfo", host)
    socket.getaddrinfo = getaddrinfo
""")


def debian_chromium() -> str:
    """Debian's chromium (never a browser Playwright downloads); a failure where the run requires the browser
    tests (CI), else a skip."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("QUALCODE_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed, and this run requires the browser test")
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    return chromium


def real_pdf() -> Path:
    """A real published PDF of 114 pages nobody here wrote (the Debian Developer's Reference, from Debian's package
    developers-reference); a failure where the run requires it (CI), else a skip."""
    path = Path("/usr/share/developers-reference/developers-reference.pdf")
    if not path.is_file():
        if os.environ.get("QUALCODE_REQUIRE_REAL_PDF"):
            pytest.fail("Debian's developers-reference is not installed, and this run requires the real PDF tests")
        pytest.skip("Debian's developers-reference is not installed (.ci/run installs it)")
    return path


def offline_env(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An environment for a qualcode subprocess that cannot reach beyond loopback, with its own HOME (so a
    test can see that nothing is written to ~/.prefect) and without HF_HUB_OFFLINE (qualcode must set it).
    The user's cache stays the machine's (`USER_CACHE`), as it is for every project on one machine: what it holds is
    built once (word lists, Prefect's migrated database, the codebooks' vectors), never a project's text.
    Returns the environment and the file where refused attempts are recorded."""
    guard = tmp_path / "guard"
    guard.mkdir(exist_ok=True)
    (guard / "sitecustomize.py").write_text(NETWORK_GUARD)
    log = tmp_path / "network.log"
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(guard), "QUALCODE_NETWORK_LOG": str(log), "COLUMNS": "200",
           "HOME": str(home), "XDG_CACHE_HOME": str(USER_CACHE)}
    for name in ("HF_HUB_OFFLINE", "PREFECT_API_URL", "PREFECT_HOME"):
        env.pop(name, None)
    return env, log


def copy_slowly(path: Path, parts: int) -> threading.Thread:
    """A file arriving the way a slow copy writes it: `parts` lines, a tenth of a second apart, on a thread
    already started (join it)."""
    def write() -> None:
        for n in range(parts):
            with path.open("a", encoding="utf-8") as handle:
                handle.write(f"Manager: Part {n} of a long answer about the front door and supervision.\n")
            time.sleep(0.1)

    writer = threading.Thread(target=write)
    writer.start()
    return writer
