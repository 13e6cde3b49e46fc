"""The holistic tier: a judge grading saved answers, one scoring slot per judge and mode.

A judge is a scorer like any metric (same journals, batching and retries);
what it adds is the protocol: labelled images (Input, Ground Truth only with
the reference, Output), the rubric, and verdicts checked to lie in 1-10,
with unusable replies asked again before they count as failures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from medgen_core.calls import build, call_batch
from medgen_core.run.stream import chunked
from medgen_core.tasks.spec import JudgeBlock
from medgen_core.types import (
    BudgetExhausted,
    ImageRef,
    JudgeInfo,
    JudgeRequest,
    JudgeVerdict,
    MedgenError,
    Sample,
    Score,
    ScoreFailure,
    ScoreItem,
)

PANEL = "panel"


@dataclass
class JudgeHandle:
    """One judge of the run's panel, built at first use and shared by all its slots."""

    info: JudgeInfo
    args: dict[str, Any]
    identity: dict[str, Any]  # from config.plugin_identity; its hash names the judge's journal entries
    peers: list[JudgeHandle] = field(default_factory=list, repr=False)  # the run's panel, this one included
    _judge: Any = None

    @property
    def saved_key(self) -> str | None:
        """The key an earlier process of this run recorded in run.json."""
        return self.identity.get("key")

    @property
    def judge(self) -> Any:
        return self.build()

    def build(self) -> Any:
        """The judge object, built from ``--judge_args`` once."""
        if self._judge is None:
            self._judge = build("judge", self.info.name, self.info.factory, self.args, "--judge_args")
        return self._judge

    @property
    def built(self) -> bool:
        return self._judge is not None

    @property
    def base_key(self) -> str:
        own = getattr(self._judge, "key", None) if self._judge is not None else None
        return str(own or self.saved_key or self.info.name)

    @property
    def key(self) -> str:
        """How results name this judge: its own ``key``, else its registered name; a short hash of its
        identity tells apart two judges of one panel that would otherwise share a name."""
        base = self.base_key
        if any(p is not self and p.base_key == base for p in self.peers):
            return f"{base}#{self.identity['hash'][:6]}"
        return base

    def runs_mode(self, mode: str) -> bool:
        """Whether this judge grades ``mode``: a judge may restrict itself with a ``modes`` attribute.

        An earlier process's answer (in run.json) spares building the judge when nothing is left to judge.
        """
        modes = self.identity.get("modes") if "modes" in self.identity else getattr(self.judge, "modes", None)
        return not modes or mode in modes

    def recorded(self) -> dict[str, Any]:
        """The judge's run.json entry, with what building it taught (its key and modes)."""
        if not self.built:
            return self.identity
        modes = getattr(self._judge, "modes", None)
        return {**self.identity, "key": self.key, "modes": list(modes) if modes else None}

    @property
    def slot_prefix(self) -> str:
        return f"judge:{self.identity['hash'][:12]}"


@dataclass
class JudgeSlot:
    """One judge grading one task in one mode."""

    handle: JudgeHandle
    block: JudgeBlock
    mode: str
    tier: str = "holistic"
    reads: str | None = None  # a judge grades whatever the model returned
    unavailable: str | None = None

    @property
    def describe(self) -> dict[str, Any] | None:
        """The judge's own ``describe()`` (settings for results.json), once it is built."""
        own = getattr(self.handle._judge, "describe", None) if self.handle.built else None
        return own() if callable(own) else None

    @property
    def slot_id(self) -> str:
        return f"{self.handle.slot_prefix}:{self.mode}"

    @property
    def key(self) -> str:
        return judge_key(self.handle.key, self.mode)

    @property
    def threshold(self) -> float:
        return self.block.threshold

    higher_is_better = True

    def score(self, items: list[ScoreItem]) -> list[Any]:
        return grade(self.handle, [(self, item) for item in items])


def grade(handle: JudgeHandle, jobs: list[tuple[JudgeSlot, ScoreItem]]) -> list[Any]:
    """One result per (slot, item), every mode of a chunk sent together in batches of the judge's size,
    so a concurrent judge has as much work in flight as it can take. An unusable reply is asked again
    (each job's task allows ``judge.max_retries``), then kept as the failure."""
    judge = handle.judge
    size = max(1, int(getattr(judge, "batch_size", len(jobs)) or len(jobs)))
    requests = [judge_request(slot.block, slot.mode, item.sample, item.text, item.image) for slot, item in jobs]
    results: list[Any] = [None] * len(jobs)
    pending = list(range(len(jobs)))
    attempt = 0
    while pending:
        attempt += 1
        still = []
        for piece in chunked(pending, size):
            replies = call_batch(judge.judge, [requests[i] for i in piece], f"judge {handle.key!r}")
            for i, reply in zip(piece, replies, strict=True):
                results[i] = verdict_result(reply, attempt)
                retry = isinstance(results[i], BaseException) and not isinstance(results[i], BudgetExhausted)
                if retry and attempt <= jobs[i][0].block.max_retries:
                    still.append(i)
        pending = still
    return results


def judge_key(judge: str, mode: str) -> str:
    """The results key of a judge's overall score in one mode, e.g. ``judge:vlm:gpt-4o[with_reference]``."""
    return f"judge:{judge}[{mode}]"


def judge_request(
    block: JudgeBlock, mode: str, sample: Sample, text: str | None, image: ImageRef | None
) -> JudgeRequest:
    """Labelled images per the protocol: with GT the judge sees the reference, without it only input and output."""
    images: list[tuple[str, ImageRef]] = []
    for i, ref in enumerate(sample.input_images):
        images.append((f"Input {i + 1}" if len(sample.input_images) > 1 else "Input", ref))
    if mode == "with_reference" and sample.reference_image is not None:
        images.append(("Ground Truth", sample.reference_image))
    if image is not None:
        images.append(("Output", image))
    return JudgeRequest(
        sample=sample,
        mode=mode,  # type: ignore[arg-type]
        prediction_text=text,
        images=images,
        reference_text=sample.answer if mode == "with_reference" else None,
        rubric=block.to_rubric(sample.task),
    )


def verdict_result(reply: Any, attempts: int) -> Any:
    """A :class:`Score` for a usable verdict; otherwise the failure to retry or record (raw reply kept)."""
    if isinstance(reply, BudgetExhausted):
        return reply
    try:
        verdict = check_verdict(reply)
    except ScoreFailure as exc:
        return ScoreFailure(f"judge failed after {attempts} attempt(s): {exc}", exc.details)
    except Exception as exc:
        return ScoreFailure(f"judge failed after {attempts} attempt(s): {type(exc).__name__}: {exc}")
    details: dict[str, Any] = {"dimensions": verdict.dimensions}
    for name in ("explanations", "analysis", "usage"):
        if getattr(verdict, name):
            details[name] = getattr(verdict, name)
    return Score(float(verdict.overall), details)


def check_verdict(verdict: Any) -> JudgeVerdict:
    """A verdict with every score in 1-10, or an error (which the slot retries, then records)."""
    if isinstance(verdict, BaseException):
        raise verdict
    if not isinstance(verdict, JudgeVerdict):
        raise MedgenError(f"judge returned {type(verdict).__name__}, expected JudgeVerdict")
    scores = {"overall": verdict.overall, **verdict.dimensions}
    for name, value in scores.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 <= float(value) <= 10:
            raise ScoreFailure(f"judge score {name!r} is {value!r}, outside 1-10", {"raw": verdict.raw})
    return verdict


def recorded_judges(saved: list[dict[str, Any]], handles: list[JudgeHandle]) -> list[dict[str, Any]]:
    """run.json's judges after this process: the saved ones, updated by what building taught."""
    from medgen_core.run.store import merge_judges

    return merge_judges(saved, [handle.recorded() for handle in handles])
