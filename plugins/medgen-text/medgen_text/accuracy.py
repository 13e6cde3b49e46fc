"""Closed-form multiple-choice accuracy: does the answer name the right option, by letter or by text?"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from medgen_core.types import Score, ScoreFailure, ScoreItem
from medgen_text.common import prediction_or_failure, reference_or_failure, versions
from medgen_text.exact import normalize_answer

# "A. text", "A) text", "(A) text", "A: text" at the start of an option or answer.
_PREFIXED = re.compile(r"^\s*\(?([A-Za-z])\s*[.):\]]\s*(.*)$", re.S)
# A bare letter answer: "B", "B.", "(B)", "B)", "[B]".
_BARE = re.compile(r"^\s*[(\[]?\s*([A-Za-z])\s*[)\].:]?\s*$")
# "Answer: B", "The answer is (B)", "correct option is B", "Option C", "choice: d".
_KEYWORD = re.compile(
    r"\b(?i:answer|option|choice)(?:\s+(?i:is|would\s+be|should\s+be))?\s*[:\-]?\s*[(\[]?\s*"
    # upper case: "is B because"; lower case only when nothing follows but punctuation ("answer: b"),
    # so that "the answer is a pleural effusion" does not name option A.
    r"(?:([A-Z])(?=[\s)\].,;:]|$)|([a-z])(?=\s*[)\].,;:]|\s*$))"
)
# Only letters joined by or/and/commas/slashes: "B or C", "A, B", "(A)/(D)" names every one of them.
_LETTER_LIST = re.compile(r"^\s*[(\[]?[A-Z][)\]]?(?:\s*(?:,|/|\bor\b|\band\b)\s*[(\[]?[A-Z][)\]]?)+\s*\.?\s*$")
# A letter standing alone in brackets anywhere: "(C)" or "[C]" (upper case only, to avoid "(a)" lists).
_BRACKETED = re.compile(r"[(\[]([A-Z])[)\]]")
# "B. text" / "B) text" at the very start of the answer (upper case only: "A nodule..." is not option A).
_LEADING = re.compile(r"^\s*\(?([A-Z])\s*[.):]\s+(.*)$", re.S)


@dataclass(frozen=True)
class Option:
    letter: str
    text: str  # normalised option text (without its letter prefix)


def parse_options(choices: list[str]) -> list[Option]:
    """Options with letters: taken from an "A. " style prefix when every choice has one, else by position."""
    prefixed = [_PREFIXED.match(c) for c in choices]
    letters = [m.group(1).upper() for m in prefixed if m]
    if all(prefixed) and len(set(letters)) == len(choices):
        return [Option(m.group(1).upper(), normalize_answer(m.group(2))) for m in prefixed if m]
    return [Option(chr(ord("A") + i), normalize_answer(c)) for i, c in enumerate(choices)]


def _by_text(text: str, options: list[Option]) -> Option | None:
    norm = normalize_answer(text)
    hits = [o for o in options if o.text and o.text == norm]
    return hits[0] if len(hits) == 1 else None


def resolve_reference(answer: str, options: list[Option]) -> Option | None:
    """The option a reference answer means: a letter, "B. text", or the option text."""
    letters = {o.letter: o for o in options}
    bare = _BARE.match(answer)
    if bare and bare.group(1).upper() in letters:
        return letters[bare.group(1).upper()]
    exact = _by_text(answer, options)
    if exact is not None:
        return exact
    prefixed = _PREFIXED.match(answer)
    if prefixed and prefixed.group(1).upper() in letters:
        return letters[prefixed.group(1).upper()]
    return None


def _text_mentions(prediction: str, options: list[Option]) -> set[str]:
    """Letters of options whose text occurs in the prediction, ignoring occurrences inside a longer option's."""
    norm = f" {normalize_answer(prediction)} "
    spans: dict[str, list[tuple[int, int]]] = {}
    for o in options:
        if not o.text:
            continue
        needle = f" {o.text} "
        found = [(m.start(), m.start() + len(needle)) for m in re.finditer(f"(?={re.escape(needle)})", norm)]
        if found:
            spans[o.letter] = found
    named = set()
    for letter, own in spans.items():
        others = [s for k, v in spans.items() if k != letter for s in v]
        if any(not any(a <= s and e <= b and (b - a) > (e - s) for a, b in others) for s, e in own):
            named.add(letter)
    return named


def named_options(prediction: str, options: list[Option]) -> set[str]:
    """Every option letter the prediction names; explicit letters win over option texts."""
    bare = _BARE.match(prediction)
    if bare:
        return {bare.group(1).upper()}
    if _LETTER_LIST.match(prediction):
        return set(re.findall(r"[A-Z]", prediction))
    letters = {(m.group(1) or m.group(2)).upper() for m in _KEYWORD.finditer(prediction)}
    letters |= set(_BRACKETED.findall(prediction))
    leading = _LEADING.match(prediction)
    if leading:
        letters.add(leading.group(1))
        rest = _by_text(leading.group(2), options)
        if rest is not None:  # "B. <text of option C>" names two options
            letters.add(rest.letter)
    if letters:
        return letters
    exact = _by_text(prediction, options)
    if exact is not None:
        return {exact.letter}
    return _text_mentions(prediction, options)


class ChoiceAccuracyMetric:
    """1.0 when the prediction names exactly the reference option, 0.0 otherwise (ambiguous answers are wrong)."""

    key = "accuracy"

    def _one(self, item: ScoreItem) -> Score | ScoreFailure:
        pred = prediction_or_failure(item)
        if isinstance(pred, ScoreFailure):
            return pred
        ref = reference_or_failure(item)
        if isinstance(ref, ScoreFailure):
            return ref
        if not item.sample.choices:
            return ScoreFailure(f"sample {item.sample.id!r} has no answer choices; accuracy needs them")
        options = parse_options(item.sample.choices)
        target = resolve_reference(ref, options)
        if target is None:
            return ScoreFailure(f"sample {item.sample.id!r}: reference answer {ref!r} names none of the choices")
        named = sorted(named_options(pred, options))
        correct = named == [target.letter]
        return Score(1.0 if correct else 0.0, {"reference": target.letter, "named": named})

    def score(self, items: list[ScoreItem]) -> list[Score | BaseException]:
        return [self._one(item) for item in items]

    def describe(self) -> dict[str, Any]:
        return {
            "matching": "option letter (B, B., (B), B), 'Answer: B', 'The answer is B') or the option text "
            "(case/whitespace/punctuation-insensitive); a prediction naming two options is wrong",
            "reference": "a letter, 'B. text' or the option text",
            "versions": versions("medgen-text"),
        }
