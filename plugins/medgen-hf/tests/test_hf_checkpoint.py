"""Finding checkpoints: folders, hub ids (cached or not, offline), revisions, and the messages when missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
import transformers
from medgen_hf.checkpoint import fingerprint, local_revision, resolve_checkpoint
from medgen_hf.testing import request
from medgen_hf.vlm import HFModel

from medgen_core import MedgenError, ModelOutput

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def fake_hub_cache(root: Path, repo: str, checkpoint: Path) -> Path:
    """The hub cache layout (``models--ORG--NAME/refs/main`` + ``snapshots/<commit>``) holding ``checkpoint``."""
    folder = root / f"models--{repo.replace('/', '--')}"
    shutil.copytree(checkpoint, folder / "snapshots" / COMMIT)
    (folder / "refs").mkdir()
    (folder / "refs" / "main").write_text(COMMIT)
    return folder / "snapshots" / COMMIT


def test_missing_folder_says_what_to_download_and_where(tmp_path: Path) -> None:
    with pytest.raises(MedgenError) as info:
        resolve_checkpoint(str(tmp_path / "models" / "lingshu"), "hf", "config.json")
    message = str(info.value)
    assert f"checkpoint folder {tmp_path / 'models' / 'lingshu'} does not exist" in message
    assert f"hf download ORG/NAME --local-dir {tmp_path / 'models' / 'lingshu'}" in message
    assert f"pretrained={tmp_path / 'models' / 'lingshu'}" in message


def test_incomplete_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "model.safetensors").write_bytes(b"x")
    with pytest.raises(MedgenError, match=r"has no config.json, so it is not a complete checkpoint"):
        resolve_checkpoint(str(tmp_path / "half"), "hf", "config.json")


def test_hub_id_offline_and_not_cached(tmp_path: Path, monkeypatch) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    with pytest.raises(MedgenError) as info:
        resolve_checkpoint("google/medgemma-4b-it", "hf", "config.json")
    message = str(info.value)
    assert "google/medgemma-4b-it is not in the Hugging Face cache" in message and "HF_HUB_OFFLINE=1" in message
    assert "hf download google/medgemma-4b-it --local-dir models/medgemma-4b-it" in message
    assert "pretrained=models/medgemma-4b-it" in message


def test_hub_id_in_the_cache_loads_offline_with_its_commit(tiny_qwen2_vl, tmp_path: Path, monkeypatch) -> None:
    from huggingface_hub import constants

    fake_hub_cache(tmp_path / "hub", "medgen-test/tiny-qwen2-vl", tiny_qwen2_vl)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    model = HFModel(pretrained="medgen-test/tiny-qwen2-vl")
    assert isinstance(model.predict([request(0)])[0], ModelOutput)
    assert model.describe()["revision"] == COMMIT
    assert model.describe()["pretrained"] == "medgen-test/tiny-qwen2-vl"


def test_revisions_of_downloaded_folders(tiny_qwen2_vl, tmp_path: Path) -> None:
    snapshot = fake_hub_cache(tmp_path / "hub", "org/model", tiny_qwen2_vl)
    assert local_revision(snapshot, "config.json") == COMMIT
    assert resolve_checkpoint(str(snapshot), "hf", "config.json").hub_id == "org/model"
    local_dir = tmp_path / "local"
    shutil.copytree(tiny_qwen2_vl, local_dir)
    metadata = local_dir / ".cache" / "huggingface" / "download" / "config.json.metadata"
    metadata.parent.mkdir(parents=True)
    metadata.write_text(f"{COMMIT}\nsome-etag\n1700000000.0\n")  # what `hf download --local-dir` writes
    assert resolve_checkpoint(str(local_dir), "hf", "config.json").revision == COMMIT
    assert local_revision(tiny_qwen2_vl, "config.json") is None


def test_fingerprint_follows_config_and_weights(tiny_qwen2_vl, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(tiny_qwen2_vl, copy)
    assert fingerprint(copy, "config.json") == fingerprint(tiny_qwen2_vl, "config.json")
    (copy / ".cache").mkdir()  # bookkeeping folders do not count
    (copy / ".cache" / "x").write_text("y")
    assert fingerprint(copy, "config.json") == fingerprint(tiny_qwen2_vl, "config.json")
    config = copy / "config.json"
    config.write_text(config.read_text().replace('"num_hidden_layers": 2', '"num_hidden_layers": 1', 1))
    assert fingerprint(copy, "config.json") != fingerprint(tiny_qwen2_vl, "config.json")


def test_revision_is_for_hub_ids(tiny_qwen2_vl) -> None:
    with pytest.raises(MedgenError, match="revision= applies to hub ids"):
        resolve_checkpoint(str(tiny_qwen2_vl), "hf", "config.json", revision="main")


def test_a_model_too_big_to_load_is_one_line(tiny_qwen2_vl, monkeypatch) -> None:
    def too_big(location, **options):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 14.00 GiB (GPU 0; 23.6 GiB total)")

    monkeypatch.setattr(transformers.AutoModelForImageTextToText, "from_pretrained", too_big)
    with pytest.raises(MedgenError) as info:
        HFModel(pretrained=str(tiny_qwen2_vl))
    message = str(info.value)
    assert f"{tiny_qwen2_vl} does not fit in memory on cpu" in message
    assert "Tried to allocate 14.00 GiB" in message and "device_map=auto" in message and "vLLM" in message
    assert "\n" not in message


def test_a_text_only_checkpoint_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "bert"
    transformers.BertConfig(
        hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37
    ).save_pretrained(folder)
    with pytest.raises(MedgenError, match=rf"model 'hf': cannot load {folder}: \w+"):
        HFModel(pretrained=str(folder))
