"""The main job end to end: `medgen run --model classical --judge vlm` on the bundled sample, the judge
being the real litellm client talking to the scripted server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FAKE_KEY
from judge_replies import grading_responder
from medgen_litellm.testing import ScriptedServer, reply

TASKS = "medgen"
LIMIT = 1


@pytest.fixture(scope="module")
def judge_server():
    with ScriptedServer(default=grading_responder(8)) as srv:
        yield srv


@pytest.fixture
def run(medgen_cli, judge_server, monkeypatch):
    """``run(folder, *extra)`` runs the main job with the vlm judge; returns (results, output)."""
    monkeypatch.setenv("MEDGEN_LOAD_PLUGINS", "models,tasks,classical,judge")  # scorer tiers are not under test

    def invoke(folder: Path, tasks: str = TASKS, judge_args: str = "") -> tuple[dict, str]:
        args = f"model=openai/test-judge,api_base={judge_server.url},api_key_env=MEDGEN_TEST_JUDGE_KEY{judge_args}"
        result = medgen_cli(
            "run", "--tasks", tasks, "--model", "classical", "--limit", LIMIT, "--output_path", folder,
            "--judge", "vlm", "--judge_args", args,
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
            column = metrics[f"judge_overall[{mode}]"]
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
    assert samples and all(s["scores"]["judge_overall[with_reference]"] == 8.0 for s in samples)

    for folder in (tmp_path / "first", tmp_path / "second"):  # the key is in no file, no output
        for path in folder.rglob("*"):
            if path.is_file():
                assert FAKE_KEY.encode() not in path.read_bytes(), path
    assert FAKE_KEY not in output


def test_unusable_replies_are_retried_then_counted_as_failures(run, judge_server, tmp_path):
    judge_server.reset()
    judge_server.script(*[reply("I refuse to answer in JSON.")] * 3)  # task YAML judge.max_retries: 2
    results, _ = run(tmp_path / "r", "noise_reconstruction", judge_args=",cache=false,concurrency=1")
    column = results["results"]["noise_reconstruction"]["judge_overall[with_reference]"]
    assert column["n"] == 1 and column["n_failed"] == 1 and column["pass_rate"] == 0.0 and column["mean"] is None
    line = json.loads((tmp_path / "r" / "samples.jsonl").read_text().splitlines()[0])
    assert "no JSON verdict object" in line["failures"]["judge_overall[with_reference]"]
    assert line["scores"]["judge_overall[without_reference]"] == 8.0
    assert judge_server.calls == 3 + 1
