"""The optional model stages (off by default): VLM filtering, LLM contextual augmentation, VLM review.

Each calls a model registered with the core by name (``medgen_core.load_model(name)``)
through the ordinary ``predict`` interface, and returns what it did so the
build records it: the model name, the prompt, the reply and the decision.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from medgen_core.types import ImageRef, ModelRequest, Sample

FILTER_PROMPT = (
    "Look at the image. Does it show {modality} of the {anatomy} ({caption})? "
    "Reply with 'yes' or 'no' first, then one short reason."
)
AUGMENT_PROMPT = (
    "Rewrite this instruction for a medical image so it reads naturally and is specific to the image. "
    "Keep every fact exactly: modality, anatomy, plane, numbers, sizes and positions. "
    "Return only the rewritten instruction.\n\nInstruction: {instruction}"
)
REVIEW_PROMPT = (
    "You review a benchmark item built from the attached image(s). Check that the question is valid, "
    "the answer is correct for the image, and the text matches the image. "
    "Reply 'PASS' or 'FAIL' first, then one short reason.\n\nInstruction: {instruction}\nAnswer: {answer}"
)


class ModelStage:
    """One registered model, built once, asked in batches."""

    def __init__(self, name: str) -> None:
        from medgen_core import load_model

        self.name = name
        self.model = load_model(name)
        self.batch = max(1, int(getattr(self.model, "batch_size", 8) or 8))

    def ask(self, items: list[tuple[Sample, str, list[ImageRef]]]) -> list[str | BaseException]:
        out: list[str | BaseException] = []
        for start in range(0, len(items), self.batch):
            chunk = items[start : start + self.batch]
            requests = [ModelRequest(sample=s, prompt=p, output_type="text", images=imgs) for s, p, imgs in chunk]
            replies = self.model.predict(requests)
            if len(replies) != len(requests):
                raise RuntimeError(f"model {self.name!r} returned {len(replies)} outputs for {len(requests)} requests")
            for reply in replies:
                if isinstance(reply, BaseException):
                    out.append(reply)
                else:
                    out.append((reply.text or "").strip())
        return out


def _sample(sid: str, modality: str, instruction: str, images: list[ImageRef], answer: Any = None) -> Sample:
    return Sample(
        id=sid,
        task="build",
        format="vqa",
        modality=modality,
        instruction=instruction,
        answer=None if answer is None else str(answer),
        input_images=images,
    )


def vlm_filter(name: str):
    """A stage-1 hook: keep sources the VLM confirms; volumes pass unasked (a VLM reads 2-D images)."""

    def run(folder: Path, sources: list) -> tuple[list, list[dict[str, str]]]:
        stage = ModelStage(name)
        asked = [s for s in sources if s.kind == "image"]
        items = []
        for s in asked:
            prompt = FILTER_PROMPT.format(
                modality=s.facts.get("modality_text", s.modality),
                anatomy=s.facts.get("anatomy", "body"),
                caption=s.facts.get("caption", ""),
            )
            img = [ImageRef(s.file, folder / s.file)]
            items.append((_sample(f"filter:{s.file}", s.modality, prompt, img), prompt, img))
        replies = stage.ask(items)
        kept, rejected = [s for s in sources if s.kind != "image"], []
        for s, reply in zip(asked, replies, strict=True):
            ok = isinstance(reply, str) and reply.lower().startswith("yes")
            s.facts["vlm_filter"] = {"model": name, "reply": str(reply)[:300], "kept": ok}
            if ok:
                kept.append(s)
            else:
                rejected.append({"file": s.file, "reason": f"VLM filter ({name}) said: {str(reply)[:120]}"})
        kept.sort(key=lambda s: s.file)
        return kept, rejected

    return run


def llm_augment(name: str, records: list[dict[str, Any]]) -> None:
    """Rewrite each instruction in place; the template text and the model's reply go into ``build.text``."""
    stage = ModelStage(name)
    items = []
    for r in records:
        prompt = AUGMENT_PROMPT.format(instruction=r["instruction"])
        items.append((_sample(r["id"], r["modality"], prompt, []), prompt, []))
    for r, reply in zip(records, stage.ask(items), strict=True):
        info: dict[str, Any] = {"model": name, "template_instruction": r["instruction"]}
        if isinstance(reply, str) and reply:
            r["instruction"] = reply
            info["changed"] = True
        else:
            info["changed"] = False
            info["error"] = str(reply) if isinstance(reply, BaseException) else "empty reply"
        r["build"].setdefault("text", {})["llm_augment"] = info


def vlm_review(name: str, records: list[dict[str, Any]], task_dirs: list[Path]) -> None:
    """Ask the VLM to pass or fail each record; its verdict joins the record's ``review``."""
    stage = ModelStage(name)
    items = []
    for r, d in zip(records, task_dirs, strict=True):
        imgs = [ImageRef(p, d / p) for p in r["input_image"]]
        prompt = REVIEW_PROMPT.format(instruction=r["instruction"], answer=r["answer"])
        items.append((_sample(r["id"], r["modality"], r["instruction"], imgs, r["answer"]), prompt, imgs))
    for r, reply in zip(records, stage.ask(items), strict=True):
        passed = isinstance(reply, str) and reply.upper().startswith("PASS")
        r["review"]["vlm"] = {"model": name, "reply": str(reply)[:300], "verdict": "pass" if passed else "fail"}
        if not passed:
            r["review"]["status"] = "failed"
            r["review"]["failed"] = sorted({*r["review"]["failed"], "vlm_review"})
