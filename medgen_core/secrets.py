"""Keeping API keys out of logs, results and reports.

An argument is secret when its name says so (key, token, secret, password,
auth, credential) or its value looks like a provider key; URLs lose any
user:password part. A string argument may itself hold arguments (a model
spec such as ``vlm="api:model=x,api_key=sk-..."``): secrets inside it are
found the same way. Messages are scrubbed of every secret value seen.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REDACTED = "***"
_INNER_PAIR = re.compile(r"(?P<name>[A-Za-z][A-Za-z0-9_\-]*)\s*=\s*(?P<value>\"[^\"]*\"|[^,\s\"]+)")
_KEY_SHAPED = re.compile(r"\b(?:sk-|sk_|hf_|ghp_|gsk_|xai-|AIza)[A-Za-z0-9_\-]{8,}")
_SECRET_WORDS = {"key", "apikey", "secret", "password", "passwd", "passphrase", "credential", "credentials"}
_SECRET_TEXT_WORDS = _SECRET_WORDS | {"token", "auth", "authorization", "cookie", "session", "bearer"}
_SECRET_VALUE = re.compile(r"^(sk-|sk_|hf_|ghp_|gsk_|xai-|AIza|Bearer\s)", re.IGNORECASE)


def is_secret(name: str, value: Any) -> bool:
    """Whether an argument holds a secret: by a word of its name, or by looking like a provider key.

    ``api_key``, ``hf_token``, ``password`` are secret; ``max_tokens=512`` and ``input_cost_per_token=1e-6``
    are not (a number is secret only under a name such as ``key`` or ``password``), nor is a value that
    names where a key lives rather than holding it (``api_key_env=OPENAI_API_KEY``).
    """
    words = set(re.split(r"[^a-z0-9]+", name.lower()))
    if name.lower().endswith("_env") or isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float)):
        return bool(words & _SECRET_WORDS)
    return bool(words & _SECRET_TEXT_WORDS) or (isinstance(value, str) and bool(_SECRET_VALUE.match(value)))


def redact(args: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in args.items():
        if is_secret(name, value):
            clean[name] = REDACTED
        elif isinstance(value, dict):
            clean[name] = redact(value)
        elif isinstance(value, str):
            clean[name] = scrub(
                _strip_userinfo(value) if "://" in value and "@" in value else value, inner_secrets(value)
            )
        else:
            clean[name] = value
    return clean


def secret_values(args: dict[str, Any]) -> list[str]:
    found = []
    for name, value in args.items():
        if isinstance(value, dict):
            found += secret_values(value)
        elif isinstance(value, (str, int, float)) and len(str(value)) >= 4 and is_secret(name, value):
            found.append(str(value))
        elif isinstance(value, str):
            found += inner_secrets(value)
    return found


def inner_secrets(text: str) -> list[str]:
    """Secrets written inside a string: ``name=value`` pairs with a secret name, and key-shaped tokens."""
    found = [m.group(0) for m in _KEY_SHAPED.finditer(text)]
    for match in _INNER_PAIR.finditer(text):
        value = match.group("value").strip('"')
        if len(value) >= 4 and is_secret(match.group("name"), value):
            found.append(value)
    return found


def scrub(text: str, secrets: list[str]) -> str:
    for value in secrets:
        text = text.replace(value, REDACTED)
    return text


def _strip_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"{REDACTED}@{host}", parts.path, parts.query, parts.fragment))
