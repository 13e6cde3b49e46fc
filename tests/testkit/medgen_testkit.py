"""Test-only medgen plugin, found through its entry point when this folder is on sys.path.

Models: ``counting`` (appends each sample id it answers to $MEDGEN_TEST_CALLS), ``slow``
(the same, sleeping ``delay`` seconds per sample), ``flaky`` (raises for ids in ``fail``),
``wrongtype`` (returns a string instead of a ModelOutput), ``textonly``, ``forgetful`` (claims
image output, returns text only), ``exploding`` (its constructor fails), ``echo_settings`` (answers with
the generation_kwargs and batch size it got).
Metrics: ``length_ratio`` (text), ``mean_intensity_gap`` (image), ``needs_weights`` (always unavailable).
Judge: ``fixed``.
"""

from __future__ import annotations

import os
import time

from medgen_core import JudgeVerdict, ModelOutput, hookimpl

CAPS = ("text_out", "image_out", "image_in", "multi_image_in")


def _log_calls(requests) -> None:
    path = os.environ.get("MEDGEN_TEST_CALLS")
    if path:
        with open(path, "a") as handle:
            handle.writelines(f"{r.sample.task}/{r.sample.id}\n" for r in requests)


class Counting:
    batch_size = 4

    def __init__(self, delay: float = 0.0, fail: str = "") -> None:
        self.delay = delay
        self.fail = set(filter(None, fail.split("|")))

    def predict(self, requests):
        out = []
        for r in requests:
            _log_calls([r])
            time.sleep(self.delay)
            if r.sample.id in self.fail:
                out.append(RuntimeError(f"model crashed on {r.sample.id}"))
                continue
            image = r.images[0] if r.output_type != "text" and r.images else None
            out.append(ModelOutput(text=f"answer for {r.sample.id}" if r.output_type != "image" else None, image=image))
        return out


class Exploding:
    """A model whose constructor fails, as a checkpoint too big for the device would."""

    def __init__(self, size: str = "70b") -> None:
        raise RuntimeError(f"CUDA out of memory while loading {size}")


class EchoSettings:
    """Answers with the generation_kwargs it received and its batch size, so tests can see what reached it."""

    batch_size = 2

    def __init__(self, greeting: str = "", seed: int = 0) -> None:
        self.greeting = greeting
        self.seed = seed

    def describe(self):
        return {"checkpoint": "echo-v1", "seed": self.seed}

    def predict(self, requests):
        import json

        return [
            ModelOutput(text=json.dumps({"gen": r.generation_kwargs, "batch": self.batch_size, "hi": self.greeting}))
            for r in requests
        ]


class NeedsWeights:
    key = "needs_weights"

    def __init__(self) -> None:
        from medgen_core import MetricUnavailable

        raise MetricUnavailable("weights.bin is not downloaded: put it in $HOME/.cache/kit/")


STATE = {"closed": False, "judge_calls": 0, "predicted_after_judging": 0}


class Tracked(Counting):
    """Records when it is closed, and whether it answered after a judge was called (tests of the run's stages).

    ``wait_for_judge=N``: once N samples are answered, each later call waits (up to a minute) until a
    judge has been called, which only happens if judging overlaps predicting.
    """

    def __init__(self, delay: float = 0.0, wait_for_judge: int = 0) -> None:
        super().__init__(delay)
        self.wait_for_judge = wait_for_judge
        self.answered = 0
        STATE.update(closed=False, judge_calls=0, predicted_after_judging=0)

    def predict(self, requests):
        deadline = time.monotonic() + 60
        while self.wait_for_judge and self.answered >= self.wait_for_judge and not STATE["judge_calls"]:
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        STATE["predicted_after_judging"] += bool(STATE["judge_calls"])
        self.answered += len(requests)
        return super().predict(requests)

    def close(self) -> None:
        STATE["closed"] = True


class GpuLike(Tracked):
    """Says it holds an accelerator: the run predicts everything and closes it before scoring."""

    holds_accelerator = True


class ClosedProbe:
    """1.0 when the model was already closed at scoring time, else 0.0."""

    key = "closed_probe"

    def score(self, items):
        return [1.0 if STATE["closed"] else 0.0 for _ in items]


class WrongType:
    batch_size = 2

    def predict(self, requests):
        return ["not a ModelOutput" for _ in requests]


class TextOnly:
    batch_size = 8

    def predict(self, requests):
        return [ModelOutput(text="text only") for _ in requests]


class LengthRatio:
    """min(len(pred), len(ref)) / max(...) in words: 1.0 for equal lengths."""

    key = "length_ratio"

    def score(self, items):
        out = []
        for item in items:
            a, b = len((item.text or "").split()), len((item.sample.answer or "").split())
            out.append(min(a, b) / max(a, b) if max(a, b) else 1.0)
        return out


class IntensityGap:
    key = "mean_intensity_gap"

    def score(self, items):
        import numpy as np

        out = []
        for item in items:
            if item.image is None:
                out.append(ValueError("no image"))
                continue
            a = np.asarray(item.image.open().convert("L"), dtype=float).mean()
            b = np.asarray(item.sample.reference_image.open().convert("L"), dtype=float).mean()
            out.append(abs(a - b))
        return out


class FixedJudge:
    batch_size = 8

    def __init__(self, score: float = 9.0, api_key: str = "") -> None:
        self.value = score

    def judge(self, requests):
        STATE["judge_calls"] += 1
        return [JudgeVerdict(overall=self.value, dimensions={d: self.value for d in r.dimensions}) for r in requests]


@hookimpl
def medgen_register_models(register):
    register("counting", Counting, capabilities=CAPS)
    register("slow", Counting, capabilities=CAPS)
    register("wrongtype", WrongType, capabilities=CAPS)
    register("textonly", TextOnly, capabilities=("text_out", "image_in"))
    register("forgetful", TextOnly, capabilities=CAPS)  # claims image output, returns text only
    register("exploding", Exploding, capabilities=CAPS)
    register("gpu_like", GpuLike, capabilities=CAPS)
    register("tracked", Tracked, capabilities=CAPS)
    register("echo_settings", EchoSettings, capabilities=("text_out", "image_in", "multi_image_in"))


@hookimpl
def medgen_register_metrics(register):
    register("length_ratio", LengthRatio, tier="text", higher_is_better=True, threshold=0.5, reads="text")
    register("mean_intensity_gap", IntensityGap, tier="pixel", higher_is_better=False, threshold=10.0, reads="image")
    register("closed_probe", ClosedProbe, tier="text", higher_is_better=True, threshold=0.5, reads="text")
    register("needs_weights", NeedsWeights, tier="text", higher_is_better=True, threshold=0.5, reads="text")


@hookimpl
def medgen_register_judges(register):
    register("fixed", FixedJudge, description="Always gives the same score.")
