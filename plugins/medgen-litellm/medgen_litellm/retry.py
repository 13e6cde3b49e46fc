"""When to call again and how long to wait: 429, 5xx, timeouts and dropped connections.

The wait is the server's ``Retry-After`` (or ``retry-after-ms``) when it sends
one, else exponential backoff with full jitter, so many clients that failed
together do not come back together. Client errors (400, 401, 404) are final.
"""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass

RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 529})
_TRANSIENT_NAMES = ("Timeout", "APIConnectionError", "ServiceUnavailableError", "InternalServerError", "BadGateway")


@dataclass(frozen=True)
class RetryPolicy:
    """``max_retries`` calls after the first; waits grow from ``backoff_s`` and never pass ``max_wait_s``."""

    max_retries: int = 4
    backoff_s: float = 1.0
    max_wait_s: float = 60.0

    def wait_s(self, exc: BaseException, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based) after ``exc``."""
        told = retry_after_s(exc)
        if told is not None:
            return min(told, self.max_wait_s)
        ceiling = min(self.max_wait_s, self.backoff_s * (2**attempt))
        return (rng or random).uniform(ceiling / 2, ceiling)


def status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def is_retryable(exc: BaseException) -> bool:
    """Rate limits, server errors, timeouts and connection failures; never a bad request or a bad key."""
    status = status_of(exc)
    if status is not None and status in RETRY_STATUS:
        return True
    if isinstance(exc, (TimeoutError, ConnectionError)):
        return True
    name = type(exc).__name__
    return status is None and any(part in name for part in _TRANSIENT_NAMES)


def retry_after_s(exc: BaseException) -> float | None:
    """The wait a response asked for (``retry-after-ms``, or ``Retry-After`` as seconds or a date)."""
    headers = _headers(exc)
    if not headers:
        return None
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return None if parsed is None else max(0.0, parsed.timestamp() - time.time())


def _headers(exc: BaseException) -> dict[str, str]:
    found: dict[str, str] = {}
    for source in (getattr(getattr(exc, "response", None), "headers", None), getattr(exc, "headers", None)):
        if source:
            try:
                found.update({str(k).lower(): str(v) for k, v in source.items()})
            except (AttributeError, TypeError):
                continue
    return found


def describe_error(exc: BaseException) -> str:
    """A short, provider-neutral description: class, status and message."""
    status = status_of(exc)
    prefix = type(exc).__name__ + (f" (HTTP {status})" if status else "")
    message = str(exc).strip() or repr(exc)
    return f"{prefix}: {message}" if message else prefix
