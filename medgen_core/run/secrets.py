"""Keeping API keys out of logs, results and reports.

An argument is secret when its name says so (key, token, secret, password,
auth, credential) or its value looks like a provider key; URLs lose any
user:password part. Messages are scrubbed of every secret value seen.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REDACTED = "***"
_SECRET_NAME = re.compile(r"(key|token|secret|passw|auth|credential|cookie|session)", re.IGNORECASE)
_SECRET_VALUE = re.compile(r"^(sk-|sk_|hf_|ghp_|gsk_|xai-|AIza|Bearer\s)", re.IGNORECASE)


def is_secret(name: str, value: Any) -> bool:
    return bool(_SECRET_NAME.search(name)) or (isinstance(value, str) and bool(_SECRET_VALUE.match(value)))


def redact(args: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in args.items():
        if is_secret(name, value):
            clean[name] = REDACTED
        elif isinstance(value, dict):
            clean[name] = redact(value)
        elif isinstance(value, str) and "://" in value and "@" in value:
            clean[name] = _strip_userinfo(value)
        else:
            clean[name] = value
    return clean


def secret_values(args: dict[str, Any]) -> list[str]:
    found = []
    for name, value in args.items():
        if isinstance(value, dict):
            found += secret_values(value)
        elif isinstance(value, str) and len(value) >= 4 and is_secret(name, value):
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
