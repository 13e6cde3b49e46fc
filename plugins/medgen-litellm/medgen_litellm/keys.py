"""API keys: taken from environment variables only, refused as argument values, scrubbed from every message.

A key given as a command-line value would land in run.json, shell history and
process listings, so plugin arguments may only *name* the variable that holds
it (``api_key_env=MY_VAR``); without one, litellm reads the provider's usual
variable (``OPENAI_API_KEY``, ``ANTHROPIC_API_KEY``, ...).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from medgen_core import MedgenError

REDACTED = "***"
KEY_ENV_ARG = "api_key_env"
# Argument names that announce a secret (the core redacts the same names in run.json).
_SECRET_NAME = re.compile(r"(key|token|secret|passw|auth|credential|cookie|session)", re.IGNORECASE)
# Values that look like a provider key whatever their argument is called.
_SECRET_VALUE = re.compile(r"^(sk-|sk_|hf_|ghp_|gsk_|xai-|AIza|Bearer\s)", re.IGNORECASE)
# Key-shaped substrings scrubbed from messages even when no variable holds them.
_KEY_IN_TEXT = re.compile(r"\b(sk-|sk_|hf_|ghp_|gsk_|xai-|AIza)[A-Za-z0-9_\-]{8,}|(Bearer\s+)[A-Za-z0-9_\-.=]{8,}")
_SECRET_ENV_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL)", re.IGNORECASE)

# The usual variable per litellm provider prefix, for messages (litellm itself reads them).
PROVIDER_KEY_VARIABLES = {
    "openai": "OPENAI_API_KEY",
    "azure": "AZURE_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "gemini": "GEMINI_API_KEY",
    "openrouter": "OPENROUTER_API_KEY",
    "hosted_vllm": "HOSTED_VLLM_API_KEY",
    "mistral": "MISTRAL_API_KEY",
    "groq": "GROQ_API_KEY",
    "together_ai": "TOGETHERAI_API_KEY",
    "xai": "XAI_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY",
}


def provider_key_variable(model: str) -> str | None:
    """The environment variable litellm reads for ``model``'s provider, when we know it."""
    prefix, slash, _ = model.partition("/")
    if slash:
        return PROVIDER_KEY_VARIABLES.get(prefix)
    if model.startswith(("gpt-", "o1", "o3", "o4", "chatgpt", "gpt-image")):
        return "OPENAI_API_KEY"
    if model.startswith("claude"):
        return "ANTHROPIC_API_KEY"
    return None


def refuse_key_arguments(args: Mapping[str, Any], where: str, model: str | None = None) -> None:
    """Raise when an argument carries a key-like value (``api_key=sk-...``, ``token=...``).

    Refused: any text value whose name says secret (key, token, secret, password, auth, ...) and
    any value shaped like a provider key (``sk-...``, ``hf_...``); numbers are never secrets.

    ``api_key_env`` is the one allowed key argument: it names a variable and
    holds no secret. The message says which variable to set instead.
    """
    for name, value in args.items():
        if name == KEY_ENV_ARG:
            if isinstance(value, str) and _SECRET_VALUE.match(value):
                raise MedgenError(
                    f"{where}: {KEY_ENV_ARG} takes the NAME of an environment variable, not the key itself; "
                    f"run `export MEDGEN_API_KEY=<your key>` and pass {KEY_ENV_ARG}=MEDGEN_API_KEY"
                )
            continue
        text = isinstance(value, str)  # max_tokens=2048 names a count, not a secret
        if text and (_SECRET_NAME.search(name) or _SECRET_VALUE.match(value)):
            usual = provider_key_variable(model) if model else None
            instead = f"set {usual} (the provider's variable) or " if usual else ""
            raise MedgenError(
                f"{where}: argument {name!r} looks like an API key; keys are never taken as arguments (they "
                f"would be written to run.json and logs). Put the key in an environment variable instead: "
                f"{instead}run `export MEDGEN_API_KEY=<your key>` and pass {KEY_ENV_ARG}=MEDGEN_API_KEY"
            )


def api_key_from_env(variable: str | None, where: str) -> str | None:
    """The key held by ``variable`` (None: let litellm read the provider's own variable)."""
    if variable is None:
        return None
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable):
        raise MedgenError(f"{where}: {KEY_ENV_ARG}={variable!r} is not an environment variable name")
    value = os.environ.get(variable)
    if not value:
        raise MedgenError(f"{where}: {KEY_ENV_ARG}={variable} but the environment variable {variable} is not set")
    return value


# Variables of providers whose SDK refuses to send a call without a key (even to a server that needs none).
_KEY_REQUIRED = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY")


def require_provider_key(model: str, where: str) -> None:
    """Without ``api_key_env``: refuse a model whose provider needs a key when its variable is unset.

    Otherwise every call would fail the same way (the OpenAI SDK reports it as a server error), after
    retries, sample by sample. Servers that need no key take ``hosted_vllm/NAME`` instead of ``openai/NAME``.
    """
    variable = provider_key_variable(model)
    if variable in _KEY_REQUIRED and not os.environ.get(variable):
        raise MedgenError(
            f"{where}: model {model!r} needs an API key and {variable} is not set: run `export {variable}=<your key>` "
            f"or name another variable with {KEY_ENV_ARG}=VAR (an OpenAI-compatible server without keys: use "
            "hosted_vllm/NAME, or set the variable to any text)"
        )


def secret_values(extra: Iterable[str | None] = ()) -> list[str]:
    """Every secret this process might leak: key-named environment variables plus ``extra``."""
    found = [v for name, v in os.environ.items() if _SECRET_ENV_NAME.search(name) and len(v) >= 8]
    found += [v for v in extra if v and len(v) >= 4]
    return sorted(set(found), key=len, reverse=True)  # longest first: no partial replacement


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every known secret and every key-shaped token replaced by ``***``."""
    for value in secrets:
        text = text.replace(value, REDACTED)
    return _KEY_IN_TEXT.sub(lambda m: (m.group(2) or "") + REDACTED, text)
