"""Turning one raw benchmark record into a :class:`Sample`, or a precise failure.

The record fields are the official release's (BENCHMARK.md). Every problem is
reported with the file, line and field, and becomes that sample's recorded
failure: one bad record never stops a run.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from medgen_core.names import normalise_modality, normalise_task_name
from medgen_core.tasks.spec import SampleFilter, TaskSpec
from medgen_core.types import ImageRef, MedgenError, Sample

FORMAT_BY_CATEGORY = {"vqa": "vqa", "imageedit": "edit", "imageediting": "edit", "mmgeneration": "gen"}
REPORT_SECTION_ORDER = ("INDICATION", "HISTORY", "TECHNIQUE", "COMPARISON", "FINDINGS", "IMPRESSION")


@dataclass
class RecordFailure:
    """A record that could not become a sample; counted as a failed sample."""

    id: str
    task: str
    source: str
    message: str
    data_hash: str = ""
    modality: str = "unknown"


class RecordError(MedgenError):
    pass


def serialise_answer(answer: Any) -> str | None:
    """Report section dicts become ``SECTION: text`` lines in a fixed order; lists join with `` | ``."""
    if answer is None or isinstance(answer, str):
        return answer
    if isinstance(answer, dict):
        known = [k for k in REPORT_SECTION_ORDER if k in {str(s).upper() for s in answer}]
        upper = {str(k).upper(): v for k, v in answer.items()}
        others = sorted(k for k in upper if k not in REPORT_SECTION_ORDER)
        return "\n".join(f"{k}: {str(upper[k]).strip()}" for k in (*known, *others) if upper[k] not in (None, ""))
    if isinstance(answer, list):
        return " | ".join(str(a) for a in answer)
    return str(answer)


def resolve_image(ref: Any, base: Path, root: Path, where: str) -> ImageRef:
    """An image path from a record, refused unless it stays inside ``base`` (the task folder)."""
    if not isinstance(ref, str) or not ref.strip():
        raise RecordError(f"{where}: expected a relative image path, got {ref!r}")
    posix = PurePosixPath(ref)
    if posix.is_absolute() or Path(ref).is_absolute() or ref.startswith("\\"):
        raise RecordError(f"{where}: absolute image path {ref!r} is not allowed (paths are relative to data.jsonl)")
    if ".." in posix.parts:
        raise RecordError(f"{where}: image path {ref!r} leaves the task folder ('..' is not allowed)")
    path = base / Path(*posix.parts)
    resolved = _real_dir(str(path.parent)) / path.name if not path.is_symlink() else path.resolve()
    if not resolved.is_relative_to(_real_dir(str(base))):
        raise RecordError(f"{where}: image path {ref!r} resolves outside the task folder (symlink to {resolved})")
    if not resolved.is_file():
        raise RecordError(f"{where}: image file not found: {ref!r} (looked for {path})")
    return ImageRef(ref=str(path.relative_to(root)), path=resolved)


@lru_cache(maxsize=1024)
def _real_dir(folder: str) -> Path:
    """A folder with every symlink resolved (cached: thousands of images share a few folders)."""
    return Path(os.path.realpath(folder))


def _image_list(record: dict[str, Any], key: str, where: str) -> list[Any]:
    value = record.get(key)
    if value is None:
        return []
    if isinstance(value, (str, dict)):
        return [value]
    if not isinstance(value, list):
        raise RecordError(f"{where}: field '{key}': expected a list of image paths, got {type(value).__name__}")
    return value


ImageResolver = Callable[[Any, str], ImageRef]


def folder_resolver(task_dir: Path, root: Path) -> ImageResolver:
    """Image paths relative to a task's data.jsonl, kept inside that folder."""
    return lambda ref, where: resolve_image(ref, task_dir, root, where)


def task_names(spec: TaskSpec) -> frozenset[str]:
    """Every spelling of the spec's task: its official folder name, its name and its aliases (folded)."""
    return _folded_names(spec.dataset_name.split("/", 1)[-1], spec.task, tuple(spec.aliases))


@lru_cache(maxsize=256)
def _folded_names(official: str, task: str, aliases: tuple[str, ...]) -> frozenset[str]:
    """Cached: every record of a task is checked against the same names."""
    return frozenset(normalise_task_name(n) for n in (official, task, *aliases))


def build_sample(record: Any, spec: TaskSpec, source: str, fallback_id: str, resolve: ImageResolver) -> Sample:
    """Validate ``record`` against what ``spec`` needs; raise :class:`RecordError` naming the field.

    ``resolve(value, where)`` turns one image reference of the record into an :class:`ImageRef`.
    """
    if not isinstance(record, dict):
        raise RecordError(f"{source}: expected a JSON object, got {type(record).__name__}")
    sample_id = str(record.get("id") or record.get("sample_id") or fallback_id)
    paper_task = record.get("paper_task")
    if paper_task is not None and normalise_task_name(str(paper_task)) not in task_names(spec):
        raise RecordError(
            f"{source}: field 'paper_task': {paper_task!r} is not task {spec.task!r} "
            f"(known names: {', '.join(sorted(task_names(spec)))})"
        )
    instruction = record.get("instruction")
    if not isinstance(instruction, str) or not instruction.strip():
        raise RecordError(f"{source}: field 'instruction': missing or empty")
    inputs = [
        resolve(ref, f"{source}: field 'input_image'[{i}]")
        for i, ref in enumerate(_image_list(record, "input_image", source))
    ]
    truth_refs = _image_list(record, "ground_truth_image", source)
    if len(truth_refs) > 1:
        raise RecordError(f"{source}: field 'ground_truth_image': at most one image, got {len(truth_refs)}")
    reference = resolve(truth_refs[0], f"{source}: field 'ground_truth_image'[0]") if truth_refs else None
    if spec.output_type != "text" and reference is None:
        raise RecordError(f"{source}: field 'ground_truth_image': required for an {spec.output_type} task")
    answer = serialise_answer(record.get("answer"))
    if spec.output_type != "image" and not answer:
        raise RecordError(f"{source}: field 'answer': required for a {spec.output_type} task")
    choices = record.get("choice") if record.get("choice") is not None else record.get("choices")
    if choices is not None and not (isinstance(choices, list) and all(isinstance(c, str) for c in choices)):
        raise RecordError(f"{source}: field 'choice': expected a list of option strings")
    masks = _image_list(record, "mask_image", source)
    mask = resolve(masks[0], f"{source}: field 'mask_image'[0]") if masks else None
    category = str(record.get("category", "")).replace(" ", "").replace("-", "").lower()
    return Sample(
        id=sample_id,
        task=spec.task,
        format=FORMAT_BY_CATEGORY.get(category, spec.format),  # type: ignore[arg-type]
        modality=normalise_modality(record.get("modality")),
        instruction=instruction,
        answer=answer,
        choices=choices,
        input_images=inputs,
        reference_image=reference,
        mask_image=mask,
        subtask=record.get("paper_subtask") or record.get("observed_subtask"),
        record=record,
        source=source,
    )


def data_hash(line: bytes, sample: Sample | None) -> str:
    """SHA-256 of the record line and the bytes of every image it names."""
    digest = hashlib.sha256(line)
    if sample is not None:
        for image in (*sample.input_images, sample.reference_image, sample.mask_image):
            if image is not None:
                digest.update(image.read_bytes())
    return digest.hexdigest()


def matches(flt: SampleFilter | None, modality: str, record: dict[str, Any]) -> bool:
    """Whether a record (with its normalised modality) passes the filter."""
    if flt is None:
        return True
    if flt.modality is not None and modality not in flt.modality:
        return False
    if flt.subtask is not None:
        have = {str(record.get(k, "")).strip().lower() for k in ("paper_subtask", "observed_subtask", "sub-category")}
        if not have & {s.strip().lower() for s in flt.subtask}:
            return False
    for key, wanted in (flt.where or {}).items():
        value = record.get(key)
        if isinstance(wanted, list) and value not in wanted or not isinstance(wanted, list) and value != wanted:
            return False
    return True


def parse_line(line: bytes, source: str) -> Any:
    try:
        return json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RecordError(f"{source}: malformed JSON: {exc}") from None
