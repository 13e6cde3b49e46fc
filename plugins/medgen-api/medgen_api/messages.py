"""A model request as chat messages: the input images as data URIs (at most ``max_side`` pixels), then the prompt.

Several images are labelled (``Image "Input 1":`` ...) so the model can tell
them apart and the prompt can refer to them; one image goes unlabelled.
Images are encoded when the call is made, on the client's worker threads.
"""

from __future__ import annotations

from typing import Any

from medgen_litellm import image_part, labelled_image_parts, text_part

from medgen_core import ModelRequest


def chat_messages(request: ModelRequest, max_side: int, system: str | None = None) -> list[dict[str, Any]]:
    images = request.images
    if len(images) == 1:
        parts = [image_part(images[0], max_side)]
    else:
        parts = labelled_image_parts([(f"Input {i + 1}", ref) for i, ref in enumerate(images)], max_side)
    messages: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": [*parts, text_part(request.prompt)]})
    return messages
