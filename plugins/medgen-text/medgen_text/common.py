"""Small helpers shared by the text metrics: failures for missing inputs, package versions."""

from __future__ import annotations

from importlib import metadata

from medgen_core.types import ScoreFailure, ScoreItem


def prediction_or_failure(item: ScoreItem) -> str | ScoreFailure:
    """The prediction text, or a failure saying it is missing (a missing answer is never scored as 0)."""
    if item.text is None:
        return ScoreFailure(f"sample {item.sample.id!r}: the model produced no text answer")
    return item.text


def reference_or_failure(item: ScoreItem) -> str | ScoreFailure:
    """The reference answer, or a failure saying the sample has none."""
    if item.sample.answer is None:
        return ScoreFailure(f"sample {item.sample.id!r} has no reference answer")
    return item.sample.answer


def versions(*dists: str) -> dict[str, str]:
    """Installed versions of the named distributions (without importing them)."""
    found: dict[str, str] = {}
    for dist in dists:
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = "not installed"
    return found
