"""medgen-hello: the smallest complete medgen plugin (model, metric, judge, task folder)."""

from __future__ import annotations

import re
from importlib import resources

from medgen_core import JudgeVerdict, ModelOutput, ScoreFailure, hookimpl


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


class EchoModel:
    """Answers with the instruction itself and returns the first input image unchanged."""

    batch_size = 16

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix

    def predict(self, requests):
        outputs = []
        for request in requests:
            image = request.images[0] if request.output_type != "text" and request.images else None
            text = None if request.output_type == "image" else self.prefix + request.sample.instruction
            outputs.append(ModelOutput(text=text, image=image))
        return outputs


class WordOverlap:
    """Jaccard overlap between the words of the answer and of the reference."""

    key = "word_overlap"

    def score(self, items):
        results = []
        for item in items:
            if item.text is None:
                results.append(ScoreFailure("no answer text"))
                continue
            a, b = _words(item.text), _words(item.sample.answer or "")
            results.append(len(a & b) / len(a | b) if a | b else 1.0)
        return results


class KeywordJudge:
    """A rule-based judge: 1 + 9 x the share of reference words found in the answer."""

    batch_size = 32

    def judge(self, requests):
        verdicts = []
        for request in requests:
            reference = _words(request.reference_text or request.sample.instruction)
            found = len(reference & _words(request.prediction_text or "")) / max(1, len(reference))
            score = 1 + 9 * found
            verdicts.append(JudgeVerdict(overall=score, dimensions={d: score for d in request.dimensions}))
        return verdicts


@hookimpl
def medgen_register_models(register):
    register("echo", EchoModel, capabilities=("text_out", "image_out", "image_in"), description="Echoes the prompt.")


@hookimpl
def medgen_register_metrics(register):
    register("word_overlap", WordOverlap, tier="text", higher_is_better=True, threshold=0.5, reads="text")


@hookimpl
def medgen_register_judges(register):
    register("keyword", KeywordJudge, description="Share of reference words in the answer, on 1-10.")


@hookimpl
def medgen_task_dirs():
    return [resources.files(__name__) / "tasks"]  # a real folder, or extracted once when installed zipped
