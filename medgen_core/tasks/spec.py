"""The validated shape of task and group YAML files.

Key names follow lm-evaluation-harness where they fit (task, tag, include,
dataset_path, dataset_name, dataset_kwargs, test_split, output_type,
doc_to_text and the other doc_to_* field mappings, generation_kwargs,
metric_list, metadata). Unknown keys are errors, so a typo never silently
changes what a task measures.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from medgen_core.names import normalise_modality
from medgen_core.types import MedgenError, Rubric

OFFICIAL_DATASET = "Jack04810/MedGEN-Bench"
JUDGE_MODES = ("with_reference", "without_reference")
DEFAULT_DIMENSIONS = [
    "anatomical_accuracy",
    "clinical_finding_accuracy",
    "instruction_compliance",
    "cross_modal_consistency",
    "hallucination_omission_control",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, (str, int, float)) else value


class SampleFilter(_Strict):
    """Which records of the dataset a task keeps. All given conditions must hold."""

    modality: list[str] | None = None
    subtask: list[str] | None = None
    where: dict[str, Any] | None = None

    _list = field_validator("modality", "subtask", mode="before")(_as_list)

    @field_validator("modality")
    @classmethod
    def _known_modalities(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [normalise_modality(m) for m in value]

    def describe(self) -> str:
        """``modality=mri, subtask=Lesion Edit``: how listings and result labels show the filter."""
        parts = []
        if self.modality:
            parts.append("modality=" + "|".join(self.modality))
        if self.subtask:
            parts.append("subtask=" + "|".join(self.subtask))
        for key, value in (self.where or {}).items():
            parts.append(f"{key}={value}")
        return ", ".join(parts)

    def merged(self, other: SampleFilter | None) -> SampleFilter:
        """Both filters at once (used when a group narrows its tasks)."""
        if other is None:
            return self
        data = self.model_dump()
        for key, value in other.model_dump().items():
            if value is None:
                continue
            if data.get(key) is None:
                data[key] = value
            elif key == "where":
                data[key] = {**data[key], **value}
            else:
                data[key] = [v for v in data[key] if v in value]
        return SampleFilter(**data)


class MetricEntry(_Strict):
    metric: str
    higher_is_better: bool | None = None
    threshold: float | None = None
    args: dict[str, Any] = Field(default_factory=dict)


class JudgeBlock(_Strict):
    """How the holistic tier judges a task. ``rubric_file`` (relative to the YAML) is read at load time
    into ``rubric``, ``dimensions``, ``descriptions`` and ``checklist``, so the spec's hash covers it."""

    modes: list[Literal["with_reference", "without_reference"]] = Field(default_factory=lambda: list(JUDGE_MODES))
    dimensions: list[str] = Field(default_factory=lambda: list(DEFAULT_DIMENSIONS))
    descriptions: dict[str, str] = Field(default_factory=dict)
    rubric: str = ""
    rubric_file: str | None = None
    checklist: list[str] = Field(default_factory=list)
    threshold: float = 8.0
    max_retries: int = Field(default=2, ge=0)

    def to_rubric(self, task: str) -> Rubric:
        name = Path(self.rubric_file).stem if self.rubric_file else f"{task}_rubric"
        return Rubric(name, self.rubric.strip(), tuple(self.dimensions), dict(self.descriptions), tuple(self.checklist))


class Metadata(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    version: float | str = 1.0


DATASET_KWARG_TYPES: dict[str, Any] = {
    "data_files": (str, list, dict),
    "data_dir": str,
    "revision": str,
    "streaming": bool,
}
FIELD_KEYS = (
    "doc_to_target",
    "doc_to_choice",
    "doc_to_image",
    "doc_to_reference_image",
    "doc_to_mask",
    "doc_to_id",
    "doc_to_modality",
    "doc_to_subtask",
)


class TaskSpec(_Strict):
    """A task. Its data is the MedGEN-Bench layout (``dataset_path`` the official id, the data root
    chosen per run) or any dataset ``datasets.load_dataset`` reads; the ``doc_to_*`` keys say which
    column (or Jinja template over the record) gives each field, official field names by default."""

    task: str
    aliases: list[str] = Field(default_factory=list)
    tag: list[str] = Field(default_factory=list)
    description: str = ""
    dataset_path: str = OFFICIAL_DATASET
    dataset_name: str | None = Field(default=None, validate_default=True)
    dataset_kwargs: dict[str, Any] = Field(default_factory=dict)
    test_split: str = "test"
    output_type: Literal["text", "image", "text+image"]
    doc_to_text: str = "{{ instruction }}"
    doc_to_target: str | None = None
    doc_to_choice: str | list[str] | None = None
    doc_to_image: str | list[str] | None = None
    doc_to_reference_image: str | None = None
    doc_to_mask: str | None = None
    doc_to_id: str | None = None
    doc_to_modality: str | None = None
    doc_to_subtask: str | None = None
    multi_image: Literal["native", "contact_sheet", "required"] = "native"
    filter: SampleFilter | None = None
    generation_kwargs: dict[str, Any] = Field(default_factory=dict)
    metric_list: list[MetricEntry] = Field(default_factory=list)
    judge: JudgeBlock | None = None
    metadata: Metadata = Field(default_factory=Metadata)

    _lists = field_validator("tag", "aliases", mode="before")(_as_list)

    @field_validator("dataset_name")
    @classmethod
    def _layout_needs_folder(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("dataset_path", OFFICIAL_DATASET) == OFFICIAL_DATASET:
            raise PydanticCustomError(
                "missing", "Field required: the task's `Format/task` folder in the MedGEN-Bench layout"
            )
        return value

    @field_validator("dataset_kwargs")
    @classmethod
    def _known_kwarg_types(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key, types in DATASET_KWARG_TYPES.items():
            if key in value and not isinstance(value[key], types):
                raise ValueError(f"{key!r} has the wrong type ({type(value[key]).__name__})")
        return value

    @field_validator(*FIELD_KEYS)
    @classmethod
    def _templates_compile(cls, value: Any) -> Any:
        from medgen_core.tasks.prompt import compile_template, is_template

        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and is_template(text):
                try:
                    compile_template(text)
                except MedgenError as exc:
                    raise ValueError(str(exc)) from None
        return value

    @property
    def reads_layout(self) -> bool:
        """Whether the data is the MedGEN-Bench layout (chosen per run by ``--data_root``)."""
        return self.dataset_path == OFFICIAL_DATASET

    @property
    def format(self) -> str:
        return {"text": "vqa", "image": "edit", "text+image": "gen"}[self.output_type]


class GroupSpec(_Strict):
    group: str
    aliases: list[str] = Field(default_factory=list)
    task: list[str]
    description: str = ""
    filter: SampleFilter | None = None
    metadata: Metadata = Field(default_factory=Metadata)

    _lists = field_validator("task", "aliases", mode="before")(_as_list)


def content_hash(data: Any) -> str:
    """SHA-256 of canonical JSON: equal content, equal hash, whatever the key order."""
    blob = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()
