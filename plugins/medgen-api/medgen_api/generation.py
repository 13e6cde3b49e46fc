"""A task's ``generation_kwargs`` (lm-eval names) as litellm chat parameters.

Task YAMLs and ``--gen_kwargs`` speak lm-evaluation-harness (``max_new_tokens``,
``until``, ``do_sample``); litellm speaks the OpenAI API (``max_tokens``,
``stop``). Settings that only a local decoder has (``num_beams``,
``repetition_penalty``) have no API equivalent and are left out; litellm's
``drop_params`` then drops what a provider refuses (e.g. ``temperature`` for
reasoning models), so one task file serves every provider.
"""

from __future__ import annotations

from typing import Any

RENAMED = {"max_new_tokens": "max_tokens", "max_gen_toks": "max_tokens", "until": "stop"}
PASSED = frozenset(
    {
        "max_tokens",
        "max_completion_tokens",
        "temperature",
        "top_p",
        "top_k",
        "seed",
        "stop",
        "presence_penalty",
        "frequency_penalty",
        "reasoning_effort",
    }
)


def chat_params(generation_kwargs: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """litellm parameters for one request: the task's settings, then the model's own (``overrides``) over them."""
    params: dict[str, Any] = {}
    for name, value in generation_kwargs.items():
        name = RENAMED.get(name, name)
        if name in PASSED and value is not None:
            params[name] = value
    if generation_kwargs.get("do_sample") is False and "temperature" not in params:
        params["temperature"] = 0.0  # greedy decoding, as a local model would do it
    if isinstance(params.get("stop"), str):
        params["stop"] = [params["stop"]]
    params.update({k: v for k, v in overrides.items() if v is not None})
    return params
