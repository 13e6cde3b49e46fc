"""The ``vlm`` judge: any vision-language model litellm reaches grades a batch of samples concurrently.

``--judge vlm --judge_args model=<litellm model>[,api_base=URL,api_key_env=VAR,mode=...,rubric=...,
concurrency=N,max_side=PX,budget_usd=X,timeout=S,cache=true|false,...]``. Replies are cached on disk
(keyed by model, settings, prompt, rubric and image hashes), so judging the same outputs again, in
this run folder or another, makes no call.
"""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlsplit

from medgen_litellm import (
    CallResult,
    ChatCall,
    ClientSettings,
    LiteLLMClient,
    ResponseCache,
    RetryPolicy,
    cache_key,
    refuse_key_arguments,
)

from medgen_core import JudgeRequest, JudgeVerdict, MedgenError
from medgen_judge.prompt import PROMPT_VERSION, build_prompt
from medgen_judge.reply import parse_verdict
from medgen_judge.rubrics import load_override, rubric_for

MODES = ("with_reference", "without_reference")
_MODE_ARG = {"both": MODES, "with_reference": ("with_reference",), "without_reference": ("without_reference",)}
WHERE = "--judge vlm --judge_args"


class VLMJudge:
    """One judge model. Build once per run: it holds the client, its budget and the cache."""

    batch_size = 64  # the core hands over this many requests at once; concurrency works across them

    def __init__(
        self,
        model: str | None = None,
        api_base: str | None = None,
        api_key_env: str | None = None,
        mode: str = "both",
        rubric: str | None = None,
        concurrency: int = 8,
        max_side: int = 1024,
        budget_usd: float | None = None,
        timeout: float = 120.0,
        cache: bool = True,
        max_retries: int = 4,
        temperature: float | None = 0.0,
        max_tokens: int | None = 2048,
        input_cost_per_token: float | None = None,
        output_cost_per_token: float | None = None,
        **unknown: Any,
    ) -> None:
        given = {k: v for k, v in locals().items() if k not in ("self", "unknown", "__class__") and v is not None}
        refuse_key_arguments({**given, **unknown}, WHERE, model)
        if unknown:
            known = sorted(k for k in given if k != "model") + ["model"]
            raise MedgenError(f"{WHERE}: unknown argument(s) {', '.join(sorted(unknown))}; known: {', '.join(known)}")
        if not model or not isinstance(model, str):
            raise MedgenError(f"{WHERE}: model=<litellm model string> is required, e.g. model=gpt-4o")
        if mode not in _MODE_ARG:
            raise MedgenError(f"{WHERE}: mode={mode!r}; use one of {', '.join(_MODE_ARG)}")
        if int(max_side) < 64:
            raise MedgenError(f"{WHERE}: max_side={max_side} is too small (at least 64 pixels)")
        self.model = model
        self.modes: tuple[str, ...] = _MODE_ARG[mode]
        self.rubric_arg = rubric
        self.override = load_override(rubric)
        self.max_side = int(max_side)
        params = {k: v for k, v in (("temperature", temperature), ("max_tokens", max_tokens)) if v is not None}
        prices = {
            k: float(v)
            for k, v in (
                ("input_cost_per_token", input_cost_per_token),
                ("output_cost_per_token", output_cost_per_token),
            )
            if v is not None
        }
        self.settings = ClientSettings(
            model=model,
            api_base=api_base,
            api_key_env=api_key_env,
            concurrency=int(concurrency),
            timeout_s=float(timeout),
            retry=RetryPolicy(max_retries=int(max_retries)),
            budget_usd=float(budget_usd) if budget_usd is not None else None,
            prices=prices or None,
            params=params,
        )
        self.client = LiteLLMClient(self.settings, cache=ResponseCache() if cache else None, where=WHERE)
        self.key = f"vlm:{model}" + (f"@{self.override.name}" if self.override is not None else "")

    def judge(self, requests: list[JudgeRequest]) -> list[JudgeVerdict | BaseException]:
        """Per request, in order: a verdict, a ScoreFailure (unusable reply, raw kept), a CallFailed
        (after retries) or BudgetExhausted (not attempted)."""
        results: list[JudgeVerdict | BaseException | None] = [None] * len(requests)
        calls: list[ChatCall] = []
        slots: list[int] = []
        for i, request in enumerate(requests):
            if request.mode not in self.modes:
                results[i] = MedgenError(f"judge {self.key} judges only {', '.join(self.modes)}, not {request.mode}")
                continue
            try:
                calls.append(self._call(request))
            except MedgenError as exc:  # e.g. an image that cannot be read
                results[i] = exc
                continue
            slots.append(i)
        for i, outcome in zip(slots, self.client.chat(calls), strict=True):
            results[i] = _verdict(outcome)
        return [r if r is not None else MedgenError("not judged") for r in results]

    def describe(self) -> dict[str, Any]:
        """Settings for results.json: never a key, never a URL's user:password."""
        return {
            "key": self.key,
            "model": self.model,
            "api_base": _without_userinfo(self.settings.api_base),
            "api_key_env": self.settings.api_key_env,
            "modes": list(self.modes),
            "rubric": self.override.name if self.override is not None else "task",
            "prompt_version": PROMPT_VERSION,
            "concurrency": self.settings.concurrency,
            "max_side": self.max_side,
            "timeout_s": self.settings.timeout_s,
            "max_retries": self.settings.retry.max_retries,
            "budget_usd": self.settings.budget_usd,
            "params": dict(self.settings.params),
            "cache": str(self.client.cache.path) if self.client.cache is not None else False,
        }

    def _call(self, request: JudgeRequest) -> ChatCall:
        rubric = rubric_for(request.rubric, self.override)
        prompt = build_prompt(request, rubric, self.max_side)
        key = cache_key(
            PROMPT_VERSION,
            self.model,
            self.settings.params,
            self.max_side,
            prompt.system,
            prompt.user_texts,
            [(label, ref.sha256()) for label, ref in prompt.images],
        )
        return ChatCall(prompt.messages, cache_key=key, parse=partial(parse_verdict, dimensions=rubric.dimensions))


def _verdict(outcome: CallResult | BaseException) -> JudgeVerdict | BaseException:
    if isinstance(outcome, BaseException):
        return outcome
    verdict: JudgeVerdict = outcome.value
    verdict.usage = outcome.usage.as_dict()  # prompt/completion tokens, cost_usd, cached, latency_s, attempts
    return verdict


def _without_userinfo(url: str | None) -> str | None:
    if not url or "@" not in url:
        return url
    parts = urlsplit(url)
    return parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else "")).geturl()
