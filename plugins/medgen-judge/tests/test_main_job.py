"""The main job end to end: `medgen run --model classical --judge vlm` on the bundled sample, the judge
being the real litellm client talking to the scripted server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from judge_replies import FAKE_KEY, grading_responder
from medgen_litellm.testing import ScriptedServer, reply

TASKS = "medgen"
LIMIT = 1
TEST_TASKS = str(Path(__file__).parent / "tasks")


@pytest.fixture(scope="module")
def judge_server():
    with ScriptedServer(default=grading_responder(8)) as srv:
        yield srv


@pytest.fixture
def run(medgen_cli, judge_server, monkeypatch, tmp_path_factory):
    """``run(folder, tasks, judge_args, limit)`` runs a model and the vlm judge; returns (results, output).

    The main job (``medgen``, the classical model) runs with every installed scorer, as users run it; the
    test-only tasks in tests/tasks have no metrics and are answered by the built-in ``oracle`` model, so
    the other tests load only the built-in and judge plugins.
    """
    monkeypatch.setenv("TORCH_HOME", str(tmp_path_factory.mktemp("torch-home")))  # no AlexNet: LPIPS unavailable

    def invoke(folder: Path, tasks: str = TASKS, judge_args: str = "", limit: int = LIMIT) -> tuple[dict, str]:
        args = f"model=openai/test-judge,api_base={judge_server.url},api_key_env=MEDGEN_TEST_JUDGE_KEY{judge_args}"
        if tasks == TASKS:
            monkeypatch.delenv("MEDGEN_LOAD_PLUGINS", raising=False)
            extra = ["--model", "classical", "--metric_args", "bertscore:model=all-MiniLM-L6-v2"]
        else:
            monkeypatch.setenv("MEDGEN_LOAD_PLUGINS", "models,tasks,judge")
            extra = ["--model", "oracle", "--include_path", TEST_TASKS]
        result = medgen_cli(
            "run", "--tasks", tasks, "--limit", limit, "--output_path", folder,
            "--judge", "vlm", "--judge_args", args, *extra,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        return json.loads((folder / "results.json").read_text()), result.output

    return invoke


def test_main_job_judged_rerun_and_cache(run, judge_server, tmp_path):
    results, output = run(tmp_path / "first")
    tasks = results["results"]
    assert len(tasks) == 16
    for task, metrics in tasks.items():
        for mode in ("with_reference", "without_reference"):
            column = metrics[f"judge:vlm:openai/test-judge[{mode}]"]
            assert column["n"] == LIMIT and column["mean"] == 8.0 and column["pass_rate"] == 1.0, (task, column)
    calls = judge_server.calls
    assert calls == 16 * LIMIT * 2
    images = [r.image_urls for r in judge_server.requests]
    assert all(urls and all(u.startswith("data:image/") for u in urls) for urls in images)
    labels = {t for r in judge_server.requests for t in r.texts if t.startswith("Image ")}
    assert labels == {'Image "Input":', 'Image "Output":', 'Image "Ground Truth":'} | (
        labels & {'Image "Input 1":', 'Image "Input 2":', 'Image "Input 3":'}
    )

    again, _ = run(tmp_path / "first")  # a rerun of a finished run: no judge call
    assert judge_server.calls == calls and again["results"] == results["results"]

    other, _ = run(tmp_path / "second")  # another run folder, same outputs: all from the judge cache
    assert judge_server.calls == calls
    assert other["results"]["noise_reconstruction"] == tasks["noise_reconstruction"]
    samples = [json.loads(line) for line in (tmp_path / "second" / "samples.jsonl").read_text().splitlines()]
    assert samples and all(s["scores"]["judge:vlm:openai/test-judge[with_reference]"] == 8.0 for s in samples)

    for folder in (tmp_path / "first", tmp_path / "second"):  # the key is in no file, no output
        for path in folder.rglob("*"):
            if path.is_file():
                assert FAKE_KEY.encode() not in path.read_bytes(), path
    assert FAKE_KEY not in output


def test_unusable_replies_are_retried_then_counted_as_failures(run, judge_server, tmp_path):
    judge_server.reset()
    # both modes of a sample go out together (with_reference first, one call at a time): the first five replies
    # are unusable, so with_reference fails all three attempts (judge.max_retries: 2) and without_reference
    # gets a good reply on its third
    judge_server.script(*[reply("I refuse to answer in JSON.")] * 5)
    results, _ = run(tmp_path / "r", "judge_edit", judge_args=",cache=false,concurrency=1")
    column = results["results"]["judge_edit"]["judge:vlm:openai/test-judge[with_reference]"]
    assert column["n"] == 1 and column["n_failed"] == 1 and column["pass_rate"] == 0.0 and column["mean"] is None
    line = json.loads((tmp_path / "r" / "samples.jsonl").read_text().splitlines()[0])
    assert "no JSON verdict object" in line["failures"]["judge:vlm:openai/test-judge[with_reference]"]
    assert line["scores"]["judge:vlm:openai/test-judge[without_reference]"] == 8.0
    assert judge_server.calls == 3 + 3


def test_budget_stops_judging_cleanly_and_a_rerun_finishes(run, judge_server, tmp_path):
    judge_server.reset()
    priced = ",concurrency=1,input_cost_per_token=0.000001,output_cost_per_token=0"
    results, _ = run(tmp_path / "b", "judge_edit", judge_args=priced + ",budget_usd=0.0000001")
    task = results["results"]["judge_edit"]
    first, second = (task[f"judge:vlm:openai/test-judge[{m}]"] for m in ("with_reference", "without_reference"))
    assert judge_server.calls == 1  # the first call spends past the budget: nothing else is attempted
    assert first["n"] == 1 and first["n_not_done"] == 0 and first["mean"] == 8.0
    assert second["n_not_done"] == 1 and second["n_failed"] == 0  # not judged, never failed
    line = json.loads((tmp_path / "b" / "samples.jsonl").read_text().splitlines()[0])
    assert "budget_usd" in line["judges"]["vlm:openai/test-judge"]["without_reference"]["not_judged"]
    again, _ = run(tmp_path / "b", "judge_edit", judge_args=priced + ",budget_usd=1")  # a larger budget
    task = again["results"]["judge_edit"]
    assert judge_server.calls == 2 and all(task[k]["n_not_done"] == 0 and task[k]["mean"] == 8.0 for k in task)


def test_calibrate_a_judged_run(run, judge_server, tmp_path, medgen_cli):
    from medgen_judge import medgen_register_commands

    from medgen_core.cli import cli

    judge_server.default = lambda r: grading_responder(1 + len(r.texts[-2]) % 10)(r)  # varies with the answer
    run(tmp_path / "c", "judge_edit,judge_vqa", limit=3)
    rows = ["task,id,dimension,score,rater"]
    for line in (tmp_path / "c" / "samples.jsonl").read_text().splitlines():
        sample = json.loads(line)
        verdict = sample["judges"]["vlm:openai/test-judge"]["with_reference"]
        rows += [f"{sample['task']},{sample['id']},overall,{verdict['overall']},{r}" for r in ("ann", "bob")]
    (tmp_path / "ratings.csv").write_text("\n".join(rows) + "\n")
    medgen_register_commands(cli)
    result = medgen_cli("calibrate", tmp_path / "c", tmp_path / "ratings.csv")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "c" / "calibration.json").read_text())
    (row,) = [r for r in report["rows"] if r["mode"] == "with_reference"]
    assert row["n"] == 6 and row["dimension"] == "overall" and row["kappa_quadratic"] == 1.0
    assert row["pearson"]["r"] == 1.0 and row["icc_with_judge"]["icc2_1"] == 1.0
