"""Public types shared by the core and every plugin.

These are plain dataclasses and protocols: importing them costs nothing, and a
plugin needs nothing else from the core to implement a model, metric or judge.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, Union

if TYPE_CHECKING:  # PIL is imported only where images are decoded
    from PIL.Image import Image

Tier = Literal["pixel", "text", "holistic"]
OutputType = Literal["text", "image", "text+image"]
Format = Literal["vqa", "edit", "gen"]

TIERS: tuple[str, ...] = ("pixel", "text", "holistic")
OUTPUT_TYPES: tuple[str, ...] = ("text", "image", "text+image")
CAPABILITIES: tuple[str, ...] = ("text_out", "image_out", "image_in", "multi_image_in")


class MedgenError(Exception):
    """An error for the user: its message says what is wrong and where."""


class ImageError(MedgenError):
    """An image that is missing, undecodable or outside its dataset folder."""


class ScoreFailure(MedgenError):
    """A per-sample scoring failure; recorded and counted, never dropped.

    ``details`` (e.g. a judge's raw reply) is kept beside the message in scores.jsonl.
    """

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.details = details or {}


class BudgetExhausted(MedgenError):
    """A spending limit (``budget_usd``) was reached, so this item was not attempted.

    It is reported as not done, never as failed, and a resumed run with a
    larger budget does it. Models and judges return it per item.
    """


class MetricUnavailable(MedgenError):
    """A metric that cannot run at all here (e.g. weights not downloaded).

    The run goes on without it and results mark it unavailable with this message.
    """


@dataclass(frozen=True)
class ImageRef:
    """An image by reference: a file inside a dataset or run folder, or embedded bytes.

    ``ref`` is what logs record (a path relative to the data root, or a
    ``parquet:`` locator); the pixels are read only when asked for.
    """

    ref: str
    path: Path | None = None
    data: bytes | None = field(default=None, repr=False, compare=False)

    def read_bytes(self) -> bytes:
        if self.data is not None:
            return self.data
        if self.path is None:
            raise ImageError(f"image {self.ref!r} has neither a path nor bytes")
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise ImageError(f"cannot read image {self.ref!r} ({self.path}): {exc.strerror or exc}") from exc

    def sha256(self) -> str:
        return hashlib.sha256(self.read_bytes()).hexdigest()

    def open(self) -> Image:
        """Decode to an 8-bit ``L``, ``RGB`` or ``RGBA`` image (see :mod:`medgen_core.images`)."""
        from medgen_core.images import decode_image

        return decode_image(self.read_bytes(), self.ref)


@dataclass
class Sample:
    """One benchmark record, normalised from whatever layout it was stored in."""

    id: str
    task: str
    format: Format
    modality: str
    instruction: str
    answer: str | None = None
    choices: list[str] | None = None
    input_images: list[ImageRef] = field(default_factory=list)
    reference_image: ImageRef | None = None
    mask_image: ImageRef | None = None
    subtask: str | None = None
    record: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    data_hash: str = ""


@dataclass
class ModelRequest:
    """What a model is asked for one sample."""

    sample: Sample
    prompt: str
    output_type: OutputType
    images: list[ImageRef]
    generation_kwargs: dict[str, Any] = field(default_factory=dict)


ImageLike = Union["Image", bytes, Path, ImageRef]


@dataclass
class ModelOutput:
    """A model's answer: text, an image (PIL image, encoded bytes or a file), or both."""

    text: str | None = None
    image: ImageLike | None = None
    raw: Any = None
    usage: dict[str, Any] = field(default_factory=dict)


class Model(Protocol):
    """A model backend. ``predict`` returns one output or exception per request, in order."""

    batch_size: int

    def predict(self, requests: list[ModelRequest]) -> list[ModelOutput | BaseException]: ...


@dataclass
class ScoreItem:
    """What a metric scores: a sample and the saved prediction for it."""

    sample: Sample
    text: str | None
    image: ImageRef | None


@dataclass
class Score:
    """A metric value with details worth recording (e.g. ``{"resized": true}``)."""

    value: float
    details: dict[str, Any] = field(default_factory=dict)


class Metric(Protocol):
    """A scorer. ``key`` names it in results (it includes any model it uses).

    ``score`` returns, per item and in order, a float, a :class:`Score`, or an
    exception (recorded as that sample's failure). Raising
    :class:`MetricUnavailable` marks the whole metric unavailable for the run.
    An optional ``describe() -> dict`` is recorded in results.json (settings,
    model, deliberate differences from the paper).
    """

    key: str

    def score(self, items: list[ScoreItem]) -> list[float | Score | BaseException]: ...


@dataclass(frozen=True)
class Rubric:
    """What a judge scores: a preamble, named dimensions (with what each means) and a checklist.

    Task YAMLs give one in their ``judge`` block (or ``judge.rubric_file``); a
    judge may replace it with its own (e.g. ``--judge_args rubric=paper``).
    """

    name: str
    preamble: str
    dimensions: tuple[str, ...]
    descriptions: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    checklist: tuple[str, ...] = ()


@dataclass
class JudgeRequest:
    """One judgement: the sample, the prediction, labelled images and the rubric.

    ``images`` are ``(label, image)`` pairs labelled ``Input``, ``Output`` or
    ``Ground Truth``; ``reference_text`` is given only in ``with_reference`` mode.
    ``prediction_text`` is the model's answer: untrusted data, never instructions.
    """

    sample: Sample
    mode: Literal["with_reference", "without_reference"]
    prediction_text: str | None
    images: list[tuple[str, ImageRef]]
    reference_text: str | None
    rubric: Rubric

    @property
    def dimensions(self) -> list[str]:
        return list(self.rubric.dimensions)


@dataclass
class JudgeVerdict:
    """A judge's parsed reply: overall and per-dimension scores (1-10), in Analyze-then-Judge order.

    ``usage`` may hold ``prompt_tokens``, ``completion_tokens``, ``cost_usd``,
    ``cached`` and ``latency_s``; the run totals them.
    """

    overall: float
    dimensions: dict[str, float] = field(default_factory=dict)
    analysis: str = ""
    explanations: dict[str, str] = field(default_factory=dict)
    raw: Any = None
    usage: dict[str, Any] = field(default_factory=dict)


class Judge(Protocol):
    """A judge backend. ``judge`` returns one verdict or exception per request, in order.

    An optional ``key`` names the judge in results (e.g. ``vlm:gpt-4o``; never
    a secret), so several judges can grade one run. A reply that cannot be
    used is returned as a :class:`ScoreFailure` with the raw reply in its
    ``details``; the run retries it, then records it as a judge failure.
    """

    batch_size: int

    def judge(self, requests: list[JudgeRequest]) -> list[JudgeVerdict | BaseException]: ...


@dataclass(frozen=True)
class ModelInfo:
    name: str
    factory: Callable[..., Model]
    capabilities: frozenset[str]
    description: str = ""
    plugin: str = ""


@dataclass(frozen=True)
class MetricInfo:
    name: str
    factory: Callable[..., Metric]
    tier: Tier
    higher_is_better: bool
    threshold: float | None
    reads: Literal["text", "image"]
    description: str = ""
    plugin: str = ""


@dataclass(frozen=True)
class JudgeInfo:
    name: str
    factory: Callable[..., Judge]
    description: str = ""
    plugin: str = ""
