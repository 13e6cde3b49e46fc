"""Shared by this plugin's tests (a unique module name: other plugins' test folders have helpers too).

The key is a fake one the tests grep for in every file a run writes and in its output; requests are
built by hand for tests that call a model's predict() directly.
"""

from __future__ import annotations

import io

from medgen_litellm.testing import ScriptedServer
from PIL import Image

from medgen_core import ImageRef, ModelRequest, Sample

FAKE_KEY = "sk-api-FAKE-0123456789abcdef"
KEY_ENV = "MEDGEN_TEST_API_KEY"


def connection(server: ScriptedServer, model: str = "openai/test-vlm", **extra: object) -> dict[str, object]:
    """Model arguments pointing at ``server`` with the fake key's variable."""
    return {"model": model, "api_base": server.url, "api_key_env": KEY_ENV, "max_retries": 2, **extra}


def png(shade: int, size: int = 64, mode: str = "L") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, (size, size), shade if mode == "L" else (shade, 0, 0)).save(buf, format="PNG")
    return buf.getvalue()


def request(
    task: str = "question_answering",
    fmt: str = "vqa",
    output_type: str = "text",
    prompt: str = "What is shown?",
    images: int = 1,
    size: int = 64,
    generation_kwargs: dict | None = None,
) -> ModelRequest:
    refs = [ImageRef(f"in{i}.png", data=png(40 + i, size)) for i in range(images)]
    sample = Sample(f"{task}-0", task, fmt, "ct", prompt, answer="ref", input_images=refs)  # type: ignore[arg-type]
    return ModelRequest(sample, prompt, output_type, refs, dict(generation_kwargs or {}))  # type: ignore[arg-type]
