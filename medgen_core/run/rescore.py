"""``medgen score DIR``: recompute every score from a run's saved outputs; the model is never called."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from medgen_core.plugins import PluginHost
from medgen_core.run.runner import Progress, Runner, RunSettings, selection_from_config
from medgen_core.run.store import RunStore
from medgen_core.types import MedgenError


def rescore(folder: Path, host: PluginHost, progress: Progress | None = None) -> dict[str, Any]:
    store = RunStore(folder)
    try:
        config = store.load_config()
        if config is None:
            raise MedgenError(f"{folder} is not a medgen run folder (no run.json)")
        keep_judged = [entry for _, entry in store.scores.entries() if entry["metric_id"].startswith("judge:")]
        store.clear_scores()
        for entry in keep_judged:  # judge verdicts are kept: re-judging would need the judge's secrets
            store.add_score(entry)
    finally:
        store.close()
    settings = RunSettings(
        selection=selection_from_config(config),
        model=config["model"]["name"],
        model_args=config["model"]["args"],
        output_path=folder,
        data_root=Path(config["data_root"]),
        limit=config.get("limit"),
        seed=config["seed"],
        command=["medgen", "score", str(folder)],
    )
    return Runner(settings, host, progress, rescoring=True).run()
