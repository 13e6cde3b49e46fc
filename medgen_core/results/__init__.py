"""A run's results as typed, versioned data, and the one loader everyone uses.

    from medgen_core.results import load_run
    run = load_run("runs/mine")          # results.json + samples.jsonl (or the journals of a live run)
    run.results.results["ssim"]          # task -> metric key -> MetricSummary
    run.samples[0].outcome("ssim")       # ("scored", 0.91) | ("failed", why) | ("not_done", why) | ...

See docs/reports.md for the schema and its versions.
"""

from medgen_core.results.keys import MetricKey, parse_key
from medgen_core.results.loader import LoadedRun, ResultsError, load_results, load_run, load_samples, parse_results
from medgen_core.results.samples import SampleRecord, Verdict
from medgen_core.results.schema import SCHEMA_VERSION, GroupResult, MetricSummary, RunConfig, RunResults

__all__ = [
    "SCHEMA_VERSION",
    "GroupResult",
    "LoadedRun",
    "MetricKey",
    "MetricSummary",
    "ResultsError",
    "RunConfig",
    "RunResults",
    "SampleRecord",
    "Verdict",
    "load_results",
    "load_run",
    "load_samples",
    "parse_key",
    "parse_results",
]
