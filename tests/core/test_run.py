"""medgen run / score: outputs on disk as produced, resume, refusals, failures counted, results."""

from __future__ import annotations

import json
from pathlib import Path


def calls(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def results(run: Path) -> dict:
    return json.loads((run / "results.json").read_text())


def samples(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]


def base_args(root, kit, run):
    return ["run", "--tasks", "kit_all", "--include_path", kit, "--data_root", root, "--output_path", run, "--quiet"]


def test_oracle_and_identity_bounds(cli_run, testkit, minidata_root, tmp_path):
    for model in ("oracle", "identity"):
        res = cli_run(*base_args(minidata_root, testkit, tmp_path / model), "--model", model)
        assert res.exit_code == 0, res.output
    oracle, identity = results(tmp_path / "oracle"), results(tmp_path / "identity")
    assert oracle["results"]["kit_edit"]["mean_intensity_gap"]["mean"] == 0.0
    assert oracle["results"]["kit_vqa"]["length_ratio"]["mean"] == 1.0
    assert identity["results"]["kit_edit"]["mean_intensity_gap"]["mean"] > 0.1
    assert identity["results"]["kit_vqa"]["length_ratio"]["mean"] == 0.0  # empty answer
    images = [s["prediction"]["image"] for s in samples(tmp_path / "oracle") if s["prediction"]["image"]]
    assert images and all((tmp_path / "oracle" / p).is_file() for p in images)


def test_results_shape_and_config(cli_run, testkit, minidata_root, tmp_path, monkeypatch):
    monkeypatch.setenv("MEDGEN_TEST_CALLS", str(tmp_path / "calls"))
    res = cli_run(*base_args(minidata_root, testkit, tmp_path / "r"), "--model", "counting", "--seed", "7")
    assert res.exit_code == 0, res.output
    out = results(tmp_path / "r")
    m = out["results"]["kit_edit"]["mean_intensity_gap"]
    assert set(m) >= {"mean", "ci_low", "ci_high", "pass_rate", "n", "n_failed", "threshold"}
    assert m["n"] == 3 and m["n_failed"] == 0 and m["threshold"] == 5  # YAML override of the default 10
    assert m["ci_low"] <= m["mean"] <= m["ci_high"]
    assert out["groups"]["kit_all"]["length_ratio"]["n"] == 6  # pooled over kit_vqa and kit_gen
    cfg = out["config"]
    assert cfg["seed"] == 7 and cfg["model"]["name"] == "counting" and cfg["plugins"]["testkit"] == "0.1"
    assert set(cfg["tasks"]) == {"kit_vqa", "kit_edit", "kit_gen"} and len(cfg["tasks"]["kit_vqa"]["hash"]) == 64
    assert len(cfg["data_hashes"]["kit_vqa"]) == 3
    assert all(len(h) == 64 for h in cfg["data_hashes"]["kit_vqa"].values())
    lines = samples(tmp_path / "r")
    assert len(lines) == 9 and len({(s["task"], s["id"]) for s in lines}) == 9
    assert {"id", "task", "modality", "inputs", "prediction", "scores", "failures"} <= set(lines[0])


def test_resume_calls_nothing_twice(cli_run, testkit, minidata_root, tmp_path, monkeypatch):
    counter = tmp_path / "calls"
    monkeypatch.setenv("MEDGEN_TEST_CALLS", str(counter))
    run = tmp_path / "r"
    assert cli_run(*base_args(minidata_root, testkit, run), "--model", "counting", "--limit", "2").exit_code == 0
    assert len(calls(counter)) == 6
    first = results(run)
    assert cli_run(*base_args(minidata_root, testkit, run), "--model", "counting", "--limit", "2").exit_code == 0
    assert len(calls(counter)) == 6  # nothing called again
    assert results(run)["results"] == first["results"]
    assert cli_run(*base_args(minidata_root, testkit, run), "--model", "counting").exit_code == 0
    assert len(calls(counter)) == 9  # only the new samples
    assert sorted(calls(counter)) == sorted(set(calls(counter)))


def test_different_run_refused(cli_run, testkit, minidata_root, tmp_path):
    run = tmp_path / "r"
    assert cli_run(*base_args(minidata_root, testkit, run), "--model", "counting").exit_code == 0
    res = cli_run(*base_args(minidata_root, testkit, run), "--model", "counting", "--model_args", "delay=0.001")
    assert res.exit_code == 2 and "holds a different run" in res.output and "model:" in res.output
    res = cli_run(*base_args(minidata_root, testkit, run), "--model", "oracle")
    assert res.exit_code == 2 and "counting" in res.output
    res = cli_run(*base_args(minidata_root, testkit, run), "--model", "counting", "--seed", "99")
    assert res.exit_code == 2 and "seed" in res.output
    edited = tmp_path / "tasks"
    edited.mkdir()
    for f in Path(testkit).glob("*.yaml"):
        (edited / f.name).write_text(f.read_text().replace("threshold: 5", "threshold: 6"))
    res = cli_run(*base_args(minidata_root, str(edited), run), "--model", "counting")
    assert res.exit_code == 2 and "task 'kit_edit': its YAML spec changed" in res.output


def test_failures_are_counted_not_dropped(cli_run, testkit, minidata_root, tmp_path):
    run = tmp_path / "r"
    res = cli_run(
        *base_args(minidata_root, testkit, run),
        "--model",
        "counting",
        "--model_args",
        "fail=question-answering-001|noise-reconstruction-002",
    )
    assert res.exit_code == 0, res.output
    out = results(run)
    vqa = out["results"]["kit_vqa"]["length_ratio"]
    assert vqa["n"] == 3 and vqa["n_failed"] == 1 and vqa["pass_rate"] <= 2 / 3
    edit = out["results"]["kit_edit"]["mean_intensity_gap"]
    assert edit["n"] == 3 and edit["n_failed"] == 1
    failed = [s for s in samples(run) if s["error"]]
    assert {s["id"] for s in failed} == {"question-answering-001", "noise-reconstruction-002"}
    assert all("model crashed on" in s["error"] for s in failed)
    assert out["n_samples"]["kit_vqa"] == {"total": 3, "failed_predictions": 1, "not_done": 0}


def test_wrong_type_and_missing_parts(cli_run, testkit, minidata_root, tmp_path):
    res = cli_run(*base_args(minidata_root, testkit, tmp_path / "w"), "--model", "wrongtype")
    assert res.exit_code == 3  # every prediction of a task failed: documented exit code, everything saved
    assert "every prediction failed for: kit_edit, kit_gen, kit_vqa" in res.output
    lines = samples(tmp_path / "w")
    assert all("returned str, expected ModelOutput" in s["error"] for s in lines)
    assert results(tmp_path / "w")["results"]["kit_vqa"]["length_ratio"]["n_failed"] == 3
    assert results(tmp_path / "w")["failures"]["by_reason"][0]["count"] == 9
    res = cli_run(*base_args(minidata_root, testkit, tmp_path / "t"), "--model", "forgetful")
    assert res.exit_code == 3  # kit_edit: no image at all, each sample failed
    gen = results(tmp_path / "t")["results"]["kit_gen"]
    assert gen["length_ratio"]["n_failed"] == 0
    assert gen["mean_intensity_gap"]["n_failed"] == 3 and gen["mean_intensity_gap"]["pass_rate"] == 0.0
    edit_lines = [s for s in samples(tmp_path / "t") if s["task"] == "kit_edit"]
    assert all("no image" in s["error"] for s in edit_lines)


def test_model_without_a_capability_is_refused_before_any_call(cli_run, testkit, minidata_root, tmp_path):
    res = cli_run(*base_args(minidata_root, testkit, tmp_path / "t"), "--model", "textonly")
    assert res.exit_code == 2
    assert "model 'textonly' (plugin 'testkit') cannot run: task 'kit_edit' needs image_out" in res.output
    assert "task 'kit_gen' needs image_out" in res.output and "kit_vqa" not in res.output.split("declares")[0]
    assert not (tmp_path / "t").exists()  # refused before the run folder was made


def test_unknown_names_suggest(cli_run, testkit, minidata_root, tmp_path):
    res = cli_run(*base_args(minidata_root, testkit, tmp_path / "r"), "--model", "orcale")
    assert res.exit_code == 2 and "unknown model 'orcale'. Did you mean 'oracle'?" in res.output
    res = cli_run(
        "run",
        "--tasks",
        "kit_edti",
        "--include_path",
        testkit,
        "--model",
        "oracle",
        "--data_root",
        minidata_root,
        "--output_path",
        tmp_path / "x",
    )
    assert res.exit_code == 2 and "Did you mean 'kit_edit'?" in res.output


def test_score_recomputes_without_model(cli_run, testkit, minidata_root, tmp_path, monkeypatch):
    counter = tmp_path / "calls"
    monkeypatch.setenv("MEDGEN_TEST_CALLS", str(counter))
    run = tmp_path / "r"
    assert cli_run(*base_args(minidata_root, testkit, run), "--model", "counting", "--predict_only").exit_code == 0
    assert results(run)["results"]["kit_vqa"] == {}
    n_calls = len(calls(counter))
    assert cli_run("score", str(run), "--quiet").exit_code == 0
    assert len(calls(counter)) == n_calls
    scored = results(run)
    assert scored["results"]["kit_vqa"]["length_ratio"]["n"] == 3
    full = tmp_path / "full"
    assert cli_run(*base_args(minidata_root, testkit, full), "--model", "counting").exit_code == 0
    assert results(full)["results"] == scored["results"]


def test_judge_scores_and_secrets(cli_run, testkit, minidata_root, tmp_path):
    run = tmp_path / "r"
    secret = "sk-test-SECRET-1234567890"
    res = cli_run(
        *base_args(minidata_root, testkit, run),
        "--model",
        "counting",
        "--judge",
        "fixed",
        "--judge_args",
        f"score=9,api_key={secret}",
    )
    assert res.exit_code == 0, res.output
    out = results(run)
    j = out["results"]["kit_vqa"]["judge:fixed[with_reference]"]
    assert j["mean"] == 9.0 and j["pass_rate"] == 1.0 and j["threshold"] == 8.0 and j["tier"] == "holistic"
    assert "judge:fixed[without_reference]" in out["results"]["kit_vqa"]
    assert "judge:fixed[with_reference]" not in out["results"]["kit_edit"]  # no judge block there
    assert out["config"]["judges"][0]["args"]["api_key"] == "***"
    for f in run.rglob("*"):
        if f.is_file() and f.suffix in (".json", ".jsonl"):
            assert secret not in f.read_text(), f
    line = next(s for s in samples(run) if s["task"] == "kit_vqa")
    assert line["judges"]["fixed"]["with_reference"]["overall"] == 9.0
    assert line["judges"]["fixed"]["with_reference"]["dimensions"]["instruction_compliance"] == 9.0


def test_judge_panel_grows_and_agreement(cli_run, testkit, minidata_root, tmp_path, monkeypatch):
    """A second judge joins the folder's panel: only it is called, and the panel mean and agreement appear."""
    run = tmp_path / "r"
    args = (*base_args(minidata_root, testkit, run), "--model", "counting", "--tasks", "kit_vqa")
    assert cli_run(*args, "--judge", "fixed", "--judge_args", "score=9").exit_code == 0

    def judged() -> list[dict]:
        lines = [json.loads(line) for line in (run / "scores.jsonl").read_text().splitlines()]
        return [e for e in lines if e["metric_id"].startswith("judge:")]

    assert len(judged()) == 6  # 3 samples x 2 modes
    res = cli_run(*args, "--judge", "fixed", "--judge_args", "score=9", "--judge", "fixed", "--judge_args", "score=3")
    assert res.exit_code == 0, res.output
    assert len(judged()) == 12  # only the new judge graded
    out = results(run)["results"]["kit_vqa"]
    keys = sorted(k for k in out if k.startswith("judge:") and "panel" not in k)
    assert len(keys) == 4 and all("#" in k for k in keys)  # one registered name twice: told apart by a hash
    assert {out[k]["mean"] for k in keys} == {9.0, 3.0}
    panel = out["judge:panel[with_reference]"]
    assert panel["mean"] == 6.0 and panel["n"] == 3 and panel["pass_rate"] == 0.0
    agreement = results(run)["holistic"]["kit_vqa"]["agreement"]["with_reference"]
    assert agreement["method"] == "krippendorff_alpha_interval" and len(agreement["judges"]) == 2
    res = cli_run(*args, "--judge", "fixed", "--judge_args", "score=9", "--judge_args", "x=1")
    assert res.exit_code == 2 and "one --judge_args per --judge" in res.output


def test_bad_judge_reply_retried_then_failed(testkit, minidata_root, tmp_path, monkeypatch):
    from medgen_core import JudgeVerdict
    from medgen_core.plugins import get_host
    from medgen_core.run.config import JudgeChoice, RunSettings
    from medgen_core.run.runner import Runner
    from medgen_core.tasks.index import TaskIndex

    monkeypatch.setenv("MEDGEN_LOAD_PLUGINS", "models,tasks,testkit")
    attempts = []

    class Sloppy:
        batch_size = 8

        def __init__(self):
            pass

        def judge(self, requests):
            attempts.append(len(requests))
            return [
                JudgeVerdict(overall=11.0) if r.sample.id.endswith("0") else JudgeVerdict(overall=7.0) for r in requests
            ]

    class Plugin:
        @staticmethod
        def medgen_register_judges(register):
            register("sloppy", Sloppy)

    from medgen_core import hookimpl

    Plugin.medgen_register_judges = hookimpl(Plugin.medgen_register_judges)
    host = get_host()
    host.register_plugin(Plugin, "sloppy")
    index = TaskIndex([Path(testkit)])
    settings = RunSettings(
        index.select(["kit_vqa"]),
        "counting",
        judges=[JudgeChoice("sloppy")],
        output_path=tmp_path / "r",
        data_root=minidata_root,
    )
    out = Runner(settings, host).run()
    j = out["results"]["kit_vqa"]["judge:sloppy[with_reference]"]
    assert j["n"] == 3 and j["n_failed"] == 1 and j["mean"] == 7.0 and j["pass_rate"] == 0.0
    assert attempts == [6, 2, 2]  # both modes of the chunk at once, then two retries of the bad one in each mode
    bad = [s for s in samples(tmp_path / "r") if s["id"] == "question-answering-000"][0]
    assert "outside 1-10" in bad["failures"]["judge:sloppy[with_reference]"]
    assert "outside 1-10" in bad["judges"]["sloppy"]["with_reference"]["error"]


def test_metric_args_change_key_and_hash(cli_run, testkit, minidata_root, tmp_path):
    run = tmp_path / "r"
    assert cli_run(*base_args(minidata_root, testkit, run), "--model", "oracle").exit_code == 0
    res = cli_run(*base_args(minidata_root, testkit, run), "--model", "oracle", "--metric_args", "length_ratio:foo=1")
    assert (
        res.exit_code == 2
        and '--metric_args changed (this folder used {}, the command gives {"length_ratio": {"foo": 1}})' in res.output
    )
    assert "YAML" not in res.output


def test_metric_batch_that_raises_fails_only_the_bad_sample(tmp_path, monkeypatch):
    from medgen_core.run.scoring import LiveMetric, MetricSlot
    from medgen_core.tasks.spec import MetricEntry
    from medgen_core.types import MetricInfo, Sample, ScoreItem

    class Picky:
        key = "picky"

        def score(self, items):
            if any(i.text == "bad" for i in items):
                raise ValueError("cannot score 'bad'")
            return [float(len(i.text)) for i in items]

    info = MetricInfo("picky", Picky, "text", True, None, "text")
    slot = MetricSlot(LiveMetric(info, {}), MetricEntry(metric="picky"), "picky")
    items = [
        ScoreItem(Sample(id=str(i), task="t", format="vqa", modality="ct", instruction="x"), t, None)
        for i, t in enumerate(["ok", "bad", "fine"])
    ]
    results = slot.score(items)
    assert results[0] == 2.0 and results[2] == 4.0
    assert isinstance(results[1], ValueError) and "cannot score 'bad'" in str(results[1])


def _kit_state():
    import medgen_testkit

    return medgen_testkit.STATE


def _probe_tasks(tmp_path, testkit):
    kit = tmp_path / "kit"
    kit.mkdir()
    for f in Path(testkit).glob("*.yaml"):
        (kit / f.name).write_text(f.read_text().replace("- metric: length_ratio", "- metric: closed_probe"))
    return str(kit)


def test_stages_overlap_judging_runs_while_the_model_predicts(cli_run, testkit, tmp_path):
    from medgen_core.testing.minidata import make_dataset

    root = make_dataset(tmp_path / "data", per_task=70, multi_image=False)  # three chunks of 32 or fewer
    run = tmp_path / "r"
    res = cli_run(
        *base_args(root, testkit, run), "--tasks", "kit_vqa", "--model", "tracked",
        "--model_args", "wait_for_judge=32", "--judge", "fixed",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    # the second chunk's answers wait for a judge call: only overlapping stages judge the first chunk meanwhile
    assert _kit_state()["predicted_after_judging"] >= 1, _kit_state()
    assert _kit_state()["closed"]  # the run released the model at the end
    out = results(run)["results"]["kit_vqa"]
    assert out["judge:fixed[with_reference]"]["n"] == 70 and out["judge:fixed[with_reference]"]["n_failed"] == 0


def test_a_model_holding_an_accelerator_is_closed_before_scoring(cli_run, testkit, minidata_root, tmp_path):
    kit = _probe_tasks(tmp_path, testkit)
    res = cli_run(*base_args(minidata_root, kit, tmp_path / "gpu"), "--tasks", "kit_vqa", "--model", "gpu_like")
    assert res.exit_code == 0, res.output
    assert results(tmp_path / "gpu")["results"]["kit_vqa"]["closed_probe"]["mean"] == 1.0  # every score after close
    res = cli_run(*base_args(minidata_root, kit, tmp_path / "cpu"), "--tasks", "kit_vqa", "--model", "tracked")
    assert results(tmp_path / "cpu")["results"]["kit_vqa"]["closed_probe"]["mean"] == 0.0  # overlapped
    res = cli_run(
        *base_args(minidata_root, kit, tmp_path / "after"), "--tasks", "kit_vqa", "--model", "tracked", "--score_after"
    )
    assert results(tmp_path / "after")["results"]["kit_vqa"]["closed_probe"]["mean"] == 1.0


def test_what_counts_as_a_secret():
    from medgen_core.secrets import is_secret, redact

    args = {
        "api_key": "sk-abc",
        "hf_token": "hf_xyz",
        "password": 12345678,
        "api_key_env": "MY_KEY",
        "max_tokens": 512,
        "input_cost_per_token": 1e-6,
        "keyword": "lesion",
        "prompt": "Bearer abc",
        "api_base": "http://user:pw@host:8000/v1",
    }
    assert redact(args) == {
        "api_key": "***",
        "hf_token": "***",
        "password": "***",
        "api_key_env": "MY_KEY",  # names where the key lives, holds no key
        "max_tokens": 512,
        "input_cost_per_token": 1e-6,
        "keyword": "lesion",
        "prompt": "***",  # looks like a credential whatever its name
        "api_base": "http://***@host:8000/v1",
    }
    assert not is_secret("token", True)


def test_chunks_span_tasks_so_batches_stay_full(testkit, minidata_root):
    from medgen_core.run import stream
    from medgen_core.run.stream import SampleStream
    from medgen_core.tasks.index import TaskIndex

    selection = TaskIndex([Path(testkit)]).select(["kit_vqa", "kit_edit", "kit_gen"])  # 3 records each
    reported = []
    chunks = list(SampleStream(selection, minidata_root, progress=lambda *a: reported.append(a)).chunks())
    assert len(chunks) == 1 and len(chunks[0].entries) == 9  # one full batch, not three of 3
    assert [i.name for i, _ in chunks[0].by_task()] == ["kit_vqa", "kit_edit", "kit_gen"]
    assert chunks[0].progress == [("kit_vqa", 3, 3), ("kit_edit", 3, 3), ("kit_gen", 3, 3)]
    old, stream.CHUNK = stream.CHUNK, 4
    try:
        sizes = [len(c.entries) for c in SampleStream(selection, minidata_root).chunks()]
    finally:
        stream.CHUNK = old
    assert sizes == [4, 4, 1]


def test_one_failure_on_many_samples_is_one_reason(cli_run, testkit, minidata_root, tmp_path):
    from medgen_core.report.problems import find_problems
    from medgen_core.results import load_run

    run = tmp_path / "r"
    fail = "question-answering-000|question-answering-002"
    res = cli_run(*base_args(minidata_root, testkit, run), "--tasks", "kit_vqa", "--model", "counting",
                  "--model_args", f"fail={fail}")  # fmt: skip
    assert res.exit_code == 0, res.output
    reasons = results(run)["failures"]["by_reason"]
    assert [(r["reason"], r["count"]) for r in reasons] == [("model: RuntimeError: model crashed on <id>", 2)]
    groups = find_problems(load_run(run)).predictions
    assert [(g.reason, g.count) for g in groups] == [("RuntimeError: model crashed on <id>", 2)]
    assert groups[0].examples == ["kit_vqa/question-answering-000", "kit_vqa/question-answering-002"]
