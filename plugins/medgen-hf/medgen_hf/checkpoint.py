"""Where a checkpoint lives, which revision it is, and what to do when it is not there.

``pretrained=`` is a local folder or a Hugging Face id. Every way it can be
missing (no folder, an incomplete folder, a hub id while offline) ends in one
:class:`MedgenError` that says what to download and where, before any weights
are read. Part of this package's library API: medgen-diffusers uses it too.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from medgen_core import MedgenError

HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
COMMIT = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint ready to load: ``location`` goes to ``from_pretrained``."""

    source: str  # what the user wrote
    location: str  # a local folder, or the hub id when it will be downloaded
    hub_id: str | None  # the hub repository, when the source names one
    revision: str | None  # the hub commit, when known
    fingerprint: str | None  # sha256 of the folder's config files, file names and sizes

    def identity(self) -> dict[str, str | None]:
        """What results record about the checkpoint."""
        return {"pretrained": self.source, "revision": self.revision, "fingerprint": self.fingerprint}


def download_advice(hub_id: str | None, folder: str | Path | None = None) -> str:
    """The exact commands that put a checkpoint on this machine."""
    repo = hub_id or "ORG/NAME"
    target = str(folder) if folder else f"models/{repo.rsplit('/', 1)[-1]}"
    return f"download it with `hf download {repo} --local-dir {target}`, then pass pretrained={target}"


def resolve_checkpoint(pretrained: str | None, model: str, marker: str, revision: str | None = None) -> Checkpoint:
    """Find ``pretrained`` (a folder holding ``marker``, or a hub id) or raise one clear error.

    ``marker`` is the file that makes a folder a checkpoint of this kind
    (``config.json`` for transformers, ``model_index.json`` for diffusers).
    """
    if not pretrained or not str(pretrained).strip():
        raise MedgenError(
            f"model {model!r} needs pretrained=: a local checkpoint folder or a Hugging Face id "
            f"(e.g. --model_args pretrained=Qwen/Qwen2.5-VL-7B-Instruct)"
        )
    source = str(pretrained).strip()
    path = Path(source).expanduser()
    if path.exists():
        if revision:
            raise MedgenError(f"model {model!r}: revision= applies to hub ids; {path} is a local folder")
        return _local(source, path, model, marker)
    if HUB_ID.match(source) and not source.startswith("."):
        return _hub(source, model, marker, revision)
    raise MedgenError(
        f"model {model!r}: checkpoint folder {path} does not exist; {download_advice(None, path)} "
        f"(or give a Hugging Face id such as ORG/NAME)"
    )


def _local(source: str, path: Path, model: str, marker: str) -> Checkpoint:
    if not path.is_dir():
        raise MedgenError(f"model {model!r}: pretrained={source} is a file; give the checkpoint's folder")
    if not (path / marker).is_file():
        raise MedgenError(
            f"model {model!r}: {path} has no {marker}, so it is not a complete checkpoint of this kind "
            f"(an interrupted download?); {download_advice(_hub_id_of(path), path)}"
        )
    return Checkpoint(source, str(path), _hub_id_of(path), local_revision(path, marker), fingerprint(path, marker))


def _hub(repo: str, model: str, marker: str, revision: str | None) -> Checkpoint:
    from huggingface_hub import is_offline_mode, try_to_load_from_cache

    if is_offline_mode() and not isinstance(try_to_load_from_cache(repo, marker, revision=revision), str):
        raise MedgenError(
            f"model {model!r}: {repo} is not in the Hugging Face cache ({_cache_dir()}) and HF_HUB_OFFLINE=1 "
            f"forbids downloading it; on a machine with internet, {download_advice(repo)} (or unset "
            f"HF_HUB_OFFLINE to download it into the cache)"
        )
    return Checkpoint(repo, repo, repo, None, None)


def with_hub_revision(checkpoint: Checkpoint, marker: str, revision: str | None = None) -> Checkpoint:
    """The checkpoint with the commit the hub cache holds for it (call after ``from_pretrained``)."""
    if checkpoint.hub_id is None or checkpoint.location != checkpoint.hub_id:
        return checkpoint
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(checkpoint.hub_id, marker, revision=revision)
    if not isinstance(cached, str):
        return checkpoint
    commit = local_revision(Path(cached).parent, marker)
    return Checkpoint(checkpoint.source, checkpoint.location, checkpoint.hub_id, commit, None)


def local_revision(folder: Path, marker: str) -> str | None:
    """The hub commit of a downloaded folder: a cache snapshot's name, or `hf download --local-dir` metadata."""
    if COMMIT.match(folder.name) and folder.parent.name == "snapshots":
        return folder.name
    metadata = folder / ".cache" / "huggingface" / "download" / f"{marker}.metadata"
    try:
        first = metadata.read_text().splitlines()[0].strip()
    except (OSError, IndexError):
        return None
    return first if COMMIT.match(first) else None


def fingerprint(folder: Path, marker: str) -> str:
    """sha256 of the config files' bytes and every file's name and size.

    It tells two checkpoints apart without reading gigabytes of weights at
    every start (the hub revision, when known, names the weights exactly).
    """
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file() and not _hidden(p.relative_to(folder))):
        rel = file.relative_to(folder).as_posix()
        digest.update(f"{rel}\0{file.stat().st_size}\0".encode())
        if file.suffix == ".json" and file.stat().st_size < 1_000_000:
            digest.update(file.read_bytes())
    return "sha256:" + digest.hexdigest()


def _hidden(rel: Path) -> bool:
    return any(part.startswith(".") for part in rel.parts)


def _hub_id_of(folder: Path) -> str | None:
    """ORG/NAME when the folder sits in the hub cache (``models--ORG--NAME/snapshots/<commit>``)."""
    for part in folder.resolve().parts:
        if part.startswith("models--"):
            return part.removeprefix("models--").replace("--", "/", 1)
    return None


def _cache_dir() -> str:
    from huggingface_hub import constants

    return str(getattr(constants, "HF_HUB_CACHE", os.path.expanduser("~/.cache/huggingface/hub")))
