"""A task's ``generation_kwargs`` (lm-eval names) as arguments for transformers' ``generate``.

Greedy unless the task or the user asks for sampling (``do_sample: true`` or
a temperature above 0); ``until`` / ``stop`` strings end the answer. The
settings are hashable, so requests that share them share a batch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from medgen_core import MedgenError

DEFAULT_MAX_NEW_TOKENS = 256
SAMPLING_ONLY = ("temperature", "top_p", "top_k", "min_p", "typical_p")
RECOGNISED = ("max_new_tokens", "max_gen_toks", "until", "stop", "do_sample", *SAMPLING_ONLY)


@dataclass(frozen=True)
class Generation:
    """How to generate one group of requests."""

    max_new_tokens: int
    do_sample: bool
    stop: tuple[str, ...] = ()
    extra_json: str = "{}"  # sampling knobs and other generate() arguments, as sorted JSON (hashable)

    def generate_kwargs(self) -> dict[str, Any]:
        return {"max_new_tokens": self.max_new_tokens, "do_sample": self.do_sample, **json.loads(self.extra_json)}

    def cut(self, text: str) -> str:
        """The answer up to the first stop string (``generate`` stops after it, so it may be included)."""
        for stop in self.stop:
            at = text.find(stop)
            if at >= 0:
                text = text[:at]
        return text.strip()


def generation_for(task_kwargs: dict[str, Any], max_new_tokens: int | None, model: str) -> Generation:
    """Merge the task's kwargs with the model's ``max_new_tokens=`` (the user's choice wins)."""
    kwargs = dict(task_kwargs or {})
    limit = max_new_tokens or kwargs.get("max_new_tokens") or kwargs.get("max_gen_toks") or DEFAULT_MAX_NEW_TOKENS
    if not isinstance(limit, int) or limit < 1:
        raise MedgenError(f"model {model!r}: max_new_tokens must be a positive integer, not {limit!r}")
    stop = kwargs.get("until", kwargs.get("stop")) or ()
    stop = (stop,) if isinstance(stop, str) else tuple(str(s) for s in stop)
    temperature = kwargs.get("temperature")
    do_sample = kwargs.get("do_sample")
    if do_sample is None:
        do_sample = bool(temperature) and float(temperature) > 0
    extra = {k: v for k, v in kwargs.items() if k not in RECOGNISED}
    if do_sample:
        extra.update({k: kwargs[k] for k in SAMPLING_ONLY if kwargs.get(k) is not None})
    return Generation(int(limit), bool(do_sample), tuple(s for s in stop if s), json.dumps(extra, sort_keys=True))
