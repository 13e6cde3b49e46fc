"""Public types shared by the core and every plugin.

These are plain dataclasses and protocols: importing them costs nothing, and a
plugin needs nothing else from the core to implement a model, metric or judge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, Union

from medgen_core.errors import (  # noqa: F401 (re-exported: plugins import errors from here)
    BudgetExhausted,
    ImageError,
    MedgenError,
    MetricUnavailable,
    NameClash,
    ScoreFailure,
    UnknownName,
)
from medgen_core.images import ImageRef

if TYPE_CHECKING:  # PIL is imported only where images are decoded
    from PIL.Image import Image

Tier = Literal["pixel", "text", "holistic"]
OutputType = Literal["text", "image", "text+image"]
Format = Literal["vqa", "edit", "gen"]

TIERS: tuple[str, ...] = ("pixel", "text", "holistic")
OUTPUT_TYPES: tuple[str, ...] = ("text", "image", "text+image")
CAPABILITIES: tuple[str, ...] = ("text_out", "image_out", "image_in", "multi_image_in")


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
    """A model backend. ``predict`` returns one output or exception per request, in order.

    Optional: ``close()`` releases what the model holds (weights, accelerator memory); the run calls it
    when it is done with the model. ``holds_accelerator = True`` asks the run to finish every prediction
    and close the model before scoring starts, so the model and GPU scorers (LPIPS, BERTScore) never
    compete for one device (``medgen run --score_after`` asks the same for any model).
    """

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

    Scoring order (a contract metrics may rely on, e.g. to share decoded
    images between SSIM, PSNR and LPIPS): the runner scores one chunk of
    samples (which may span tasks) with each of its metrics, one metric after
    another and all from one thread, before it moves to the next chunk.
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
