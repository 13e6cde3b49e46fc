"""medgen core: the plugin host, task specs, runner and results of MedGEN-Bench.

Importing this package is cheap: it pulls in no torch, transformers,
diffusers, lpips, bert_score or litellm. Plugins import those at first use.
"""

from medgen_core.hookspecs import hookimpl
from medgen_core.types import (
    BudgetExhausted,
    ImageRef,
    Judge,
    JudgeRequest,
    JudgeVerdict,
    MedgenError,
    Metric,
    MetricUnavailable,
    Model,
    ModelOutput,
    ModelRequest,
    Rubric,
    Sample,
    Score,
    ScoreFailure,
    ScoreItem,
)

__version__ = "0.1.0"

__all__ = [
    "BudgetExhausted",
    "ImageRef",
    "Judge",
    "JudgeRequest",
    "JudgeVerdict",
    "MedgenError",
    "Metric",
    "MetricUnavailable",
    "Model",
    "ModelOutput",
    "ModelRequest",
    "Rubric",
    "Sample",
    "Score",
    "ScoreFailure",
    "ScoreItem",
    "__version__",
    "hookimpl",
]
