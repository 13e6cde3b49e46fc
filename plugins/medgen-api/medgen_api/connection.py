"""The arguments every API model shares: which model, where, with which key variable, how hard, how much to spend.

They are taken out of the model's arguments in one place, so ``api``,
``api_image`` and ``api_unified`` accept and check them alike: a key given
as an argument is refused (naming the variable to set), and an unknown
argument is an error listing the known ones.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any
from urllib.parse import urlsplit

from medgen_litellm import ClientSettings, LiteLLMClient, RetryPolicy, refuse_key_arguments

from medgen_core import MedgenError

_CONVERT = {
    "concurrency": int,
    "timeout": float,
    "max_retries": int,
    "budget_usd": float,
    "input_cost_per_token": float,
    "output_cost_per_token": float,
}


@dataclass(frozen=True)
class Connection:
    """Where and how one API model is called (``--model_args`` names, defaults as documented)."""

    model: str
    api_base: str | None = None
    api_key_env: str | None = None
    concurrency: int = 8
    timeout: float = 120.0
    max_retries: int = 4
    budget_usd: float | None = None
    input_cost_per_token: float | None = None
    output_cost_per_token: float | None = None

    @classmethod
    def take(cls, args: dict[str, Any], where: str) -> Connection:
        """Remove this class's arguments from ``args`` (the model's own stay); refuse keys given as arguments."""
        refuse_key_arguments(args, where, args.get("model") if isinstance(args.get("model"), str) else None)
        model = args.pop("model", None)
        if not model or not isinstance(model, str):
            raise MedgenError(f"{where}: model=<litellm model string> is required, e.g. model=openai/gpt-4o")
        taken = {f.name: args.pop(f.name) for f in fields(cls) if f.name in args}
        try:
            converted = {k: _CONVERT[k](v) if k in _CONVERT and v is not None else v for k, v in taken.items()}
        except (TypeError, ValueError) as exc:
            raise MedgenError(f"{where}: {exc}") from None
        return cls(model, **converted)

    def client(self, params: dict[str, Any], where: str) -> LiteLLMClient:
        """A client for this connection; ``params`` go to every call. No reply cache: the run folder is one."""
        prices = {
            name: value
            for name, value in (
                ("input_cost_per_token", self.input_cost_per_token),
                ("output_cost_per_token", self.output_cost_per_token),
            )
            if value is not None
        }
        settings = ClientSettings(
            model=self.model,
            api_base=self.api_base,
            api_key_env=self.api_key_env,
            concurrency=self.concurrency,
            timeout_s=self.timeout,
            retry=RetryPolicy(max_retries=self.max_retries),
            budget_usd=self.budget_usd,
            prices=prices or None,
            params=params,
        )
        return LiteLLMClient(settings, where=where)

    def describe(self) -> dict[str, Any]:
        """For records: never a key, never a URL's user:password."""
        return {**asdict(self), "api_base": _without_userinfo(self.api_base)}


def refuse_unknown(args: dict[str, Any], where: str, known: list[str]) -> None:
    """``args`` should be empty once every known argument was taken out of it."""
    if "device" in args:
        raise MedgenError(f"{where}: an API model takes no device (--device): it runs where its server runs")
    if args:
        raise MedgenError(
            f"{where}: unknown argument(s) {', '.join(sorted(args))}; known: "
            f"{', '.join(sorted([*known, *(f.name for f in fields(Connection))]))}"
        )


def _without_userinfo(url: str | None) -> str | None:
    if not url or "@" not in url:
        return url
    parts = urlsplit(url)
    return parts._replace(netloc=(parts.hostname or "") + (f":{parts.port}" if parts.port else "")).geturl()
