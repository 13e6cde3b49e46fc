"""``medgen run``: stream samples, ask the model, score, write everything as it happens.

Each chunk of samples is predicted (only samples with no saved answer), then
scored by every metric and judge (only missing scores). Every answer and
score is appended to the run's journals the moment it exists, so a killed
run loses nothing and a rerun does no work twice.
"""

from __future__ import annotations

from typing import Any

from medgen_core.errors import MedgenError
from medgen_core.plugins import PluginHost
from medgen_core.run import memory
from medgen_core.run.checks import check_capabilities, check_metrics, task_needs
from medgen_core.run.config import RunSettings, now, plugin_identity, run_config
from medgen_core.run.finalise import finalise
from medgen_core.run.judging import JudgeHandle, recorded_judges
from medgen_core.run.pipeline import run_stages
from medgen_core.run.predict import Predictor
from medgen_core.run.ranks import from_environment
from medgen_core.run.scoring import Scorer
from medgen_core.run.store import RunStore
from medgen_core.run.stream import Chunk, Progress, SampleStream, first_sample, no_progress
from medgen_core.secrets import secret_values


class Runner:
    """One ``medgen run``: checks, then predict and score chunk by chunk, then results."""

    def __init__(self, settings: RunSettings, host: PluginHost, progress: Progress | None = None) -> None:
        self.s = settings
        self.host = host
        self.progress = progress or no_progress
        self.model_info = host.model(settings.model)
        self.secrets = secret_values(settings.model_args)
        self.judges: list[JudgeHandle] = []
        for choice in settings.judges:
            info = host.judge(choice.name)
            self.secrets += secret_values(choice.args)
            self.judges.append(
                JudgeHandle(info, choice.args, plugin_identity("judge", info.name, choice.args, host, info.plugin))
            )

    def run(self) -> dict[str, Any]:
        """Run, then return results.json's content (rank 0), or ``{"rank", "world"}`` on other ranks."""
        s = self.s
        if memory.wanted(s.tune_malloc):
            memory.tune_malloc()
        ranks = from_environment()
        stream = SampleStream(s.selection, s.data_root, s.limit, self.progress, list(s.warnings), ranks=ranks)
        self._check(stream)  # before the run folder is touched: a refused command leaves nothing behind
        store = RunStore(s.output_path, ranks.rank, ranks.world)
        try:
            model = plugin_identity("model", s.model, s.model_args, self.host, self.model_info.plugin)
            judges = [handle.identity for handle in self.judges]
            new = run_config(s, self.host, model, judges, self.secrets)
            if ranks.main:
                config = store.reconcile(new)
            ranks.barrier()  # rank 0 has written run.json; the others check against it
            if not ranks.main:
                config = store.reconcile(new, save=False)
            known = {j["hash"]: j for j in config.get("judges", [])}
            for handle in self.judges:  # what an earlier process learnt by building it (key, modes)
                handle.identity = {**known.get(handle.identity["hash"], {}), **handle.identity}
            scorer = Scorer(self.host, store, self.judges, self.secrets, config.get("scorers", {}))
            runtime = {"seed": s.seed, **s.runtime_args}
            predictor = Predictor(self.model_info, s.model_args, store, self.secrets, s.retry_failed, runtime)
            self._go(stream, predictor, scorer)
            ranks.barrier()  # every rank's share is on disk
            if not ranks.main:
                return {"rank": ranks.rank, "world": ranks.world}
            store.reload()  # every rank's journals
            scorer.adopt_keys(store.latest_scores())
            config = {
                **config,
                "finished": now(),
                "warnings": stream.warnings,
                "scorers": scorer.state(),
                "model": {**config["model"], **_described(predictor)},
                "judges": recorded_judges(config.get("judges", []), self.judges),
            }
            store.save_config(config)
            return finalise(store, config, stream.memberships, scorer, s.predict_only)
        finally:
            store.close()

    def _go(self, stream: SampleStream, predictor: Predictor, scorer: Scorer) -> None:
        """Predict, score and judge in overlapping stages; with --score_after (or a model that says it holds an
        accelerator), predict everything and release the model first."""

        def report(chunk: Chunk) -> None:
            for label, done, total in chunk.progress:
                self.progress(label, done, total)

        scoring = []  # a stage only where there is work for it: every thread costs hand-offs
        if not self.s.predict_only and any(t.spec.metric_list for t in self.s.selection.tasks):
            scoring.append(lambda chunk: scorer.score(chunk, judges=False))
        if not self.s.predict_only and self.judges:
            scoring.append(lambda chunk: scorer.score(chunk, judges=True))
        try:
            if self.s.score_after or predictor.holds_accelerator():
                run_stages(stream.chunks(), [predictor.predict], lambda chunk: None)
                predictor.close()
                if scoring:
                    run_stages(stream.chunks(), scoring, report)
            else:
                run_stages(stream.chunks(), [predictor.predict, *scoring], report)
        finally:
            predictor.close()

    def _check(self, stream: SampleStream) -> None:
        """Metrics exist; tasks asked for by name have samples; the model can do every task."""
        if not self.s.predict_only:
            check_metrics(self.s.selection, self.host)
            for handle in self.judges:  # a judge's bad arguments (or a key given as one) stop the run here
                handle.build()
        needs = {}
        for plan in stream.plans():
            label = plan.instance.label
            if plan.empty:
                why = f"task {label!r} has no samples: {plan.why_empty(self.s.data_root)}"
                if plan.instance.requested and not self.s.allow_empty:
                    raise MedgenError(why + " (--allow_empty runs the other tasks anyway)")
                stream.warnings.append(why)
                continue
            needs[label] = task_needs(plan, first_sample(self.s.data_root, plan))
        check_capabilities(self.model_info, needs)


def _described(predictor: Predictor) -> dict[str, Any]:
    """The model's ``describe()`` for run.json, outside its identity hash (an earlier process's is kept)."""
    described = predictor.describe()
    return {"describe": described} if described is not None else {}
