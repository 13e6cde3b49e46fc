"""medgen core: the plugin host, task specs, runner and results of MedGEN-Bench.

Importing this package is cheap: it pulls in no torch, transformers,
diffusers, lpips, bert_score or litellm. Plugins import those at first use.

The public API is what this module exports (types, hooks, and the helpers
below); docs/writing-a-plugin.md describes it. Everything else is internal.
"""

from medgen_core.api import load_model, model_info, registered
from medgen_core.hookspecs import hookimpl
from medgen_core.images import decode_image, normalise_mode
from medgen_core.kv import parse_kv
from medgen_core.names import MODALITIES, normalise_modality
from medgen_core.paths import as_folder, sample_benchmark_dir
from medgen_core.tasks.rubric import load_rubric, parse_rubric
from medgen_core.types import (
    CAPABILITIES,
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
    NameClash,
    Rubric,
    Sample,
    Score,
    ScoreFailure,
    ScoreItem,
    UnknownName,
)

__version__ = "0.1.0"

__all__ = [
    "CAPABILITIES",
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
    "NameClash",
    "Rubric",
    "Sample",
    "Score",
    "ScoreFailure",
    "ScoreItem",
    "UnknownName",
    "__version__",
    "MODALITIES",
    "as_folder",
    "decode_image",
    "hookimpl",
    "load_model",
    "load_rubric",
    "model_info",
    "normalise_modality",
    "normalise_mode",
    "parse_kv",
    "parse_rubric",
    "registered",
    "sample_benchmark_dir",
]
