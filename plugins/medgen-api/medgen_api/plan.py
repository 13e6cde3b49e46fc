"""What the VLM half is asked for and how its reply is read: the answer text and a prompt for the image model.

The VLM replies with one JSON object, ``{"answer": ..., "image_prompt": ...}``
(a code fence or prose around it is tolerated). A reply without such an object
falls back to the whole reply as the answer and the task's own prompt as the
image prompt; an object whose ``image_prompt`` is missing or empty falls back
to the task's prompt for the image. Either way the fallback is recorded with
the sample, and the image model never gets an empty prompt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from medgen_litellm import find_json_object

KEYS = ("answer", "image_prompt")

_EDIT = (
    "an image-editing model that receives the input image together with your image_prompt: make the "
    "image_prompt a precise instruction for the edit (what to change, where, and what to keep)"
)
_GENERATE = (
    "an image-generation model that does NOT see the input image: make the image_prompt a complete "
    "description of the image to produce (modality, view, anatomy and findings)"
)


def plan_prompt(task_prompt: str, edit: bool) -> str:
    """The task's prompt plus the reply format: the VLM half's prompt for an image task."""
    return (
        f"{task_prompt}\n\n"
        f"You work with {_EDIT if edit else _GENERATE}. Reply with one JSON object only, no other text:\n"
        '{"answer": "<your text answer to the instruction>", "image_prompt": "<the prompt for the image model>"}'
    )


@dataclass
class Plan:
    """The VLM's answer (None when it gave none), the image prompt (never empty) and any fallback taken."""

    answer: str | None
    image_prompt: str
    fallback: str | None = None


def read_plan(reply: str, task_prompt: str) -> Plan:
    obj = find_json_object(reply, KEYS)
    if obj is None:
        return Plan(
            reply.strip() or None,
            task_prompt,
            "the reply holds no JSON object with answer and image_prompt: the whole reply is the answer and "
            "the task's prompt the image prompt",
        )
    answer = obj.get("answer")
    if answer is not None and not isinstance(answer, str):
        answer = json.dumps(answer, ensure_ascii=False)  # e.g. report sections as an object
    answer = answer.strip() if answer else None
    prompt = obj.get("image_prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        return Plan(
            answer or None,
            task_prompt,
            "the reply's image_prompt is missing or empty: the task's prompt is the image prompt",
        )
    return Plan(answer or None, prompt.strip())
