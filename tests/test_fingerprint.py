"""Content hashes of model folders: files, not names or paths, and never a loaded model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qualcode.errors import ModelNotAvailable
from qualcode.fingerprint import folder_files, hash_folder
from qualcode.nlp import DEFAULT_SPACY_MODEL, pipeline_folder, pipeline_identity, sentence_pipeline


def _folder(root: Path) -> Path:
    (root / "sub").mkdir(parents=True)
    (root / "config.json").write_text('{"hidden": 4}')
    (root / "weights.bin").write_bytes(bytes(range(256)) * 64)
    (root / "sub" / "config.json").write_text('{"pooling": "mean"}')
    (root / "README.md").write_text("A model card.")
    return root


def test_a_folder_hashes_by_its_files_wherever_it_lies(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "one")
    digest = hash_folder(folder)
    assert hash_folder(shutil.copytree(folder, tmp_path / "elsewhere" / "two")) == digest
    assert hash_folder(folder) == digest  # again, from what this process remembers
    assert folder_files(folder, ["*.json", "*/*.json"]) == ["config.json", "sub/config.json"]
    assert hash_folder(folder, ["*.json"]) != hash_folder(folder, ["*.json", "*/*.json"])
    assert hash_folder(folder, exclude=["README.md"]) != digest

    changed = shutil.copytree(folder, tmp_path / "changed")
    weights = bytearray((changed / "weights.bin").read_bytes())
    weights[1000] ^= 1
    (changed / "weights.bin").write_bytes(bytes(weights))
    assert hash_folder(changed) != digest
    moved = shutil.copytree(folder, tmp_path / "moved")
    (moved / "sub" / "config.json").rename(moved / "config2.json")  # same bytes under another name
    assert hash_folder(moved) != digest

    with pytest.raises(FileNotFoundError):
        hash_folder(folder, ["*.safetensors"])
    with pytest.raises(FileNotFoundError):
        hash_folder(tmp_path / "absent")


def test_a_spacy_pipeline_is_known_by_its_files(tmp_path: Path) -> None:
    folder = pipeline_folder(DEFAULT_SPACY_MODEL)
    assert (folder / "config.cfg").is_file()
    identity = pipeline_identity(DEFAULT_SPACY_MODEL)
    assert identity.startswith("spacy:") and identity == pipeline_identity(folder)
    assert pipeline_identity(sentence_pipeline()) == identity  # the folder a loaded pipeline came from
    copy = Path(shutil.copytree(folder, tmp_path / "pipeline"))
    (copy / "README.md").write_text("Not read by spaCy.")
    assert pipeline_identity(copy) == identity
    (copy / "tagger" / "cfg").write_text((copy / "tagger" / "cfg").read_text() + "\n")
    assert pipeline_identity(copy) != identity
    with pytest.raises(ModelNotAvailable):
        pipeline_identity("no_such_pipeline_installed")
