"""``medgen score DIR``: recompute every score from a run's saved answers; the model is never called.

Metric scores are recomputed from scratch. Judge verdicts are kept (judging
costs money and time); judges named with ``--judge`` are added to the
folder's panel and grade every answer they have not graded yet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from medgen_core.plugins import PluginHost, UnknownName
from medgen_core.run.checks import check_metrics
from medgen_core.run.config import JudgeChoice, now, plugin_identity, selection_from_config
from medgen_core.run.finalise import finalise
from medgen_core.run.judging import JudgeHandle, recorded_judges
from medgen_core.run.scoring import Scorer
from medgen_core.run.store import RunStore
from medgen_core.run.stream import Progress, SampleStream, no_progress
from medgen_core.secrets import secret_values
from medgen_core.types import MedgenError


def rescore(
    folder: Path, host: PluginHost, judges: list[JudgeChoice] | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    progress = progress or no_progress
    store = RunStore(folder)
    try:
        config = store.load_config()
        if config is None:
            raise MedgenError(f"{folder} is not a medgen run folder (no run.json)")
        warnings: list[str] = []
        selection = selection_from_config(config)
        check_metrics(selection, host)
        handles, secrets = _judges(config, judges or [], host, warnings)
        store.clear_scores(keep=lambda entry: entry["metric_id"].startswith("judge:"))
        scorer = Scorer(host, store, handles, secrets, {})
        stream = SampleStream(selection, Path(config["data_root"]), config.get("limit"), progress, warnings)
        for chunk in stream.chunks():
            scorer.score(chunk)
            for label, done, total in chunk.progress:
                progress(label, done, total)
        missing = sum(1 for key in stream.memberships if key not in store.prediction_index)
        if missing:
            stream.warnings.append(
                f"run incomplete: {missing} sample(s) have no saved prediction (reported as not run); finish it "
                f"with the command in {folder / 'run.json'}: {config.get('command', 'medgen run ...')}"
            )
        config = {
            **config,
            "rescored": now(),
            "warnings": stream.warnings,
            "scorers": {**config.get("scorers", {}), **scorer.state()},
            "judges": recorded_judges(config.get("judges", []), handles),
        }
        store.save_config(config)
        return finalise(store, config, stream.memberships, scorer, predict_only=False)
    finally:
        store.close()


def _judges(
    config: dict[str, Any], extra: list[JudgeChoice], host: PluginHost, warnings: list[str]
) -> tuple[list[JudgeHandle], list[str]]:
    """The folder's judges (as run.json recorded them) plus the ones asked for now."""
    handles: dict[str, JudgeHandle] = {}
    for saved in config.get("judges", []):
        try:
            info = host.judge(saved["name"])
        except UnknownName:
            warnings.append(
                f"judge {saved['name']!r} (plugin {saved['plugin']!r}) graded this run but is not installed: "
                "its saved verdicts are not reported"
            )
            continue
        handles[saved["hash"]] = JudgeHandle(info, dict(saved.get("args", {})), saved)
    secrets: list[str] = []
    for choice in extra:
        info = host.judge(choice.name)
        secrets += secret_values(choice.args)
        identity = plugin_identity("judge", info.name, choice.args, host, info.plugin)
        handles.setdefault(identity["hash"], JudgeHandle(info, choice.args, identity))
    return list(handles.values()), secrets
