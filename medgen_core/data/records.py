"""Turning one raw record into a :class:`Sample`, or a precise failure.

The fields come through the task's ``doc_to_*`` keys (:mod:`.fields`), the
official release's field names by default (BENCHMARK.md). Every problem is
reported with the file, record and field, and becomes that sample's recorded
failure: one bad record never stops a run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from medgen_core.data.errors import RecordError
from medgen_core.data.fields import FieldMap
from medgen_core.data.image_refs import ImageResolver
from medgen_core.names import normalise_modality, normalise_task_name
from medgen_core.tasks.prompt import prompt_variables, render_template
from medgen_core.tasks.spec import SampleFilter, TaskSpec
from medgen_core.types import MedgenError, Sample

FORMAT_BY_CATEGORY = {"vqa": "vqa", "imageedit": "edit", "imageediting": "edit", "mmgeneration": "gen"}
REPORT_SECTION_ORDER = ("INDICATION", "HISTORY", "TECHNIQUE", "COMPARISON", "FINDINGS", "IMPRESSION")


class Raw(NamedTuple):
    """One record as read, before any checks: where it is, an id if it has none, the parsed record (or the
    :class:`RecordError` that parsing raised), the bytes its data hash covers, and how its images resolve."""

    source: str
    fallback_id: str
    record: Any
    canonical: bytes
    resolve: Any


@dataclass
class RecordFailure:
    """A record that could not become a sample; counted as a failed sample."""

    id: str
    task: str
    source: str
    message: str
    data_hash: str = ""
    modality: str = "unknown"


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


def task_names(spec: TaskSpec) -> frozenset[str]:
    """Every spelling of the spec's task: its official folder name, its name and its aliases (folded)."""
    return _folded_names((spec.dataset_name or "").split("/", 1)[-1], spec.task, tuple(spec.aliases))


@lru_cache(maxsize=256)
def _folded_names(official: str, task: str, aliases: tuple[str, ...]) -> frozenset[str]:
    """Cached: every record of a task is checked against the same names."""
    return frozenset(normalise_task_name(n) for n in (official, task, *aliases))


def build_sample(record: Any, fields: FieldMap, source: str, fallback_id: str, resolve: ImageResolver) -> Sample:
    """Validate ``record`` against what the task needs; raise :class:`RecordError` naming the field.

    ``resolve(value, where, name)`` turns one image value of the record into an :class:`ImageRef`.
    """
    spec = fields.spec
    if not isinstance(record, dict):
        raise RecordError(f"{source}: expected a JSON object, got {type(record).__name__}")
    if spec.reads_layout:
        _check_paper_task(record, spec, source)
        instruction = record.get("instruction")
        if not isinstance(instruction, str) or not instruction.strip():
            raise RecordError(f"{source}: field 'instruction': missing or empty")
    shown = strip_bytes(record)  # what templates, filters and logs see
    inputs, where = fields.images("doc_to_image", record, shown, source, resolve)
    if spec.output_type != "text" and not inputs:
        raise RecordError(f"{where}: required for an {spec.output_type} task (the image to edit or condition on)")
    truths, where = fields.images("doc_to_reference_image", record, shown, source, resolve)
    if len(truths) > 1:
        raise RecordError(f"{where}: at most one image, got {len(truths)}")
    if spec.output_type != "text" and not truths:
        raise RecordError(f"{where}: required for an {spec.output_type} task")
    choices = fields.choices(record, shown, source)
    target, where = fields.target(record, shown, source, choices)
    answer = serialise_answer(target)
    if spec.output_type != "image" and not answer:
        raise RecordError(f"{where}: required for a {spec.output_type} task")
    masks, _ = fields.images("doc_to_mask", record, shown, source, resolve)
    category = str(record.get("category", "")).replace(" ", "").replace("-", "").lower() if spec.reads_layout else ""
    sample = Sample(
        id=fields.text("doc_to_id", record, shown, source) or fallback_id,
        task=spec.task,
        format=FORMAT_BY_CATEGORY.get(category, spec.format),  # type: ignore[arg-type]
        modality=normalise_modality(fields.text("doc_to_modality", record, shown, source)),
        instruction=str(record.get("instruction")) if spec.reads_layout else "",
        answer=answer,
        choices=choices,
        input_images=inputs,
        reference_image=truths[0] if truths else None,
        mask_image=masks[0] if masks else None,
        subtask=fields.text("doc_to_subtask", record, shown, source),
        record=shown,
        source=source,
    )
    if not spec.reads_layout:
        sample.instruction = _rendered_instruction(sample, fields, source)
    return sample


def _check_paper_task(record: dict[str, Any], spec: TaskSpec, source: str) -> None:
    paper_task = record.get("paper_task")
    if paper_task is not None and normalise_task_name(str(paper_task)) not in task_names(spec):
        raise RecordError(
            f"{source}: field 'paper_task': {paper_task!r} is not task {spec.task!r} "
            f"(known names: {', '.join(sorted(task_names(spec)))})"
        )


def _rendered_instruction(sample: Sample, fields: FieldMap, source: str) -> str:
    """A dataset task's instruction: ``doc_to_text`` over the record (its prompt, which the runner renders
    again to the same text). ``instruction`` there is the record's own field, or undefined."""
    variables = prompt_variables(sample)
    if not isinstance(sample.record.get("instruction"), str):
        del variables["instruction"]
    where = f"{source}: key 'doc_to_text' of {fields.task}"
    try:
        text = render_template(fields.spec.doc_to_text, variables)
    except MedgenError as exc:
        raise RecordError(f"{where}: {exc} (columns: {', '.join(sample.record)})") from None
    if not text:
        raise RecordError(f"{where}: the prompt is empty")
    return text


def data_hash(raw: bytes, sample: Sample | None) -> str:
    """SHA-256 of the record as stored (see :func:`canonical_bytes`) and the bytes of every image it names."""
    digest = hashlib.sha256(raw)
    if sample is not None:
        for image in (*sample.input_images, sample.reference_image, sample.mask_image):
            if image is not None:
                digest.update(image.read_bytes())
    return digest.hexdigest()


def canonical_bytes(record: Any) -> bytes:
    """A record read from a dataset as canonical JSON, embedded bytes as their SHA-256: what its hash covers."""
    return json.dumps(record, sort_keys=True, default=_digest).encode()


def _digest(value: Any) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return hashlib.sha256(value).hexdigest()
    return str(value)


def strip_bytes(value: Any) -> Any:
    """The record without embedded image bytes (an image struct becomes its path), for prompts and logs."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict):
        if "bytes" in value and set(value) <= {"bytes", "path"}:
            return value.get("path") or "embedded"
        return {key: strip_bytes(item) for key, item in value.items()}
    if isinstance(value, list):
        return [strip_bytes(item) for item in value]
    return value


def matches(flt: SampleFilter | None, modality: str, record: dict[str, Any], subtask: str | None = None) -> bool:
    """Whether a record (with its normalised modality and its subtask, if known) passes the filter."""
    if flt is None:
        return True
    if flt.modality is not None and modality not in flt.modality:
        return False
    if flt.subtask is not None:
        keys = ("paper_subtask", "observed_subtask", "sub-category")
        have = {str(v).strip().lower() for v in (subtask, *(record.get(k) for k in keys)) if v is not None}
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
