"""A scripted server that answers like the oracle on the bundled sample: it knows each record's reference.

Chat calls get the reference answer of the record whose instruction is in the prompt (a compose plan
gets JSON naming the record for the image model; a unified call gets the answer and the ground-truth
image); image calls get the ground-truth image of the record their prompt names. Every metric then
has a known value (SSIM 1, PSNR 100, accuracy 1, BERTScore 1), which the end-to-end tests assert.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from medgen_litellm.testing import RecordedRequest, Reply, image_reply, json_reply, reply

SECTION_ORDER = ("INDICATION", "HISTORY", "TECHNIQUE", "COMPARISON", "FINDINGS", "IMPRESSION")


@dataclass
class Record:
    id: str
    instruction: str
    answer: str
    truth: bytes | None


def load_records(root: Path) -> list[Record]:
    records = []
    for data in sorted(root.rglob("data.jsonl")):
        for line in data.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            truth = rec.get("ground_truth_image") or []
            records.append(
                Record(
                    rec["id"],
                    rec["instruction"],
                    _answer(rec["answer"]),
                    (data.parent / truth[0]).read_bytes() if truth else None,
                )
            )
    return records


def _answer(answer: object) -> str:
    """A report given as sections, written as the core writes references (``SECTION: text`` lines)."""
    if not isinstance(answer, dict):
        return str(answer)
    keys = [k for k in SECTION_ORDER if k in answer] + [k for k in answer if k not in SECTION_ORDER]
    return "\n".join(f"{k}: {answer[k]}" for k in keys)


class SampleOracle:
    """Use as the server's ``default``: ``ScriptedServer(default=SampleOracle(root))``."""

    def __init__(self, root: Path) -> None:
        self.records = load_records(root)

    def __call__(self, request: RecordedRequest) -> Reply:
        if request.path.startswith("/v1/images"):
            return Reply(image=self._find(request.json["prompt"]).truth)
        prompt = request.texts[-1]
        record = self._find(prompt)
        if '"image_prompt"' in prompt:  # compose's plan: name the record for the image model
            return json_reply({"answer": record.answer, "image_prompt": f"the ground truth of {record.id}"}, "fenced")
        if request.json.get("modalities") and record.truth is not None:
            return image_reply(record.answer, record.truth)
        return reply(record.answer)

    def _find(self, prompt: str) -> Record:
        for record in self.records:  # file order: with --limit 1 a task's first record comes first
            if record.instruction in prompt or f"the ground truth of {record.id}" == prompt:
                return record
        raise AssertionError(f"no record for prompt {prompt[:80]!r}")
