"""Every error medgen raises on purpose: each message says what is wrong and where."""

from __future__ import annotations

from typing import Any


class MedgenError(Exception):
    """An error for the user: its message says what is wrong and where."""


class ImageError(MedgenError):
    """An image that is missing, undecodable or outside its dataset folder."""


class ScoreFailure(MedgenError):
    """A per-sample scoring failure; recorded and counted, never dropped.

    ``details`` (e.g. a judge's raw reply) is kept beside the message in scores.jsonl.
    """

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.details = details or {}


class BudgetExhausted(MedgenError):
    """A spending limit (``budget_usd``) was reached, so this item was not attempted.

    It is reported as not done, never as failed, and a resumed run with a
    larger budget does it. Models and judges return it per item.
    """


class MetricUnavailable(MedgenError):
    """A metric that cannot run at all here (e.g. weights not downloaded).

    The run goes on without it and results mark it unavailable with this message.
    """


class UnknownName(MedgenError):
    """A model, metric, judge or task name that nothing registered."""


class NameClash(MedgenError):
    """Two plugins (or task folders) registered the same name and overriding was not allowed."""
