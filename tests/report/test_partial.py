"""A run that has not finished is reported from its journals, read-only, and says so."""

from __future__ import annotations

import json
import os

import pytest

from medgen_core.results import load_results, load_run
from medgen_core.results.partial import NOT_YET


def _touch_after(path, other):
    later = os.stat(other).st_mtime_ns + 10**9
    os.utime(path, ns=(later, later))


def test_without_results_json_the_journals_give_the_same_numbers(judged_run, copy_run):
    final = load_run(judged_run)
    run_dir = copy_run(judged_run)
    (run_dir / "results.json").unlink()
    (run_dir / "samples.jsonl").unlink()
    partial = load_run(run_dir)
    assert partial.results.partial is not None and "not written yet" in partial.results.partial.reason
    assert partial.results.partial.predictions == 32
    assert {(s.task, s.id) for s in partial.samples} == {(s.task, s.id) for s in final.samples}
    for task, metrics in final.results.results.items():
        for key, summary in metrics.items():
            if summary.unavailable or key.startswith("judge:panel"):
                continue  # not scored into the journal / computed at the end
            rebuilt = partial.results.results[task][key]
            assert rebuilt.n == summary.n and rebuilt.pass_rate == pytest.approx(summary.pass_rate), key
            assert rebuilt.mean == pytest.approx(summary.mean), key
    sample = next(s for s in partial.samples if s.task == "report_generation")
    assert sample.prompt and sample.judges and not sample.not_done
    assert partial.results.groups == {}  # groups come with results.json


def test_a_live_run_is_read_without_touching_its_journals(judged_run, copy_run):
    run_dir = copy_run(judged_run)
    scores = run_dir / "scores.jsonl"
    lines = scores.read_text().splitlines(keepends=True)
    dropped = json.loads(lines[-1])
    torn = "".join(lines[:-1]) + lines[-1][:25]  # a writer killed mid-line
    scores.write_text(torn)
    before = scores.read_bytes()
    run = load_run(run_dir)  # scores.jsonl is newer than results.json now
    assert "older than scores.jsonl" in run.results.partial.reason
    assert scores.read_bytes() == before  # nothing cut or written
    sample = next(s for s in run.samples if (s.task, s.id) == (dropped["task"], dropped["id"]))
    assert sample.not_done[dropped["metric"]] == NOT_YET  # counted in no rate, not failed
    summary = run.results.results[dropped["task"]][dropped["metric"]]
    assert summary.n_not_done == 1 and summary.n_failed == 0


def test_a_newer_journal_makes_results_json_stale(judged_run, copy_run):
    run_dir = copy_run(judged_run)
    assert load_results(run_dir).partial is None
    _touch_after(run_dir / "predictions.jsonl", run_dir / "results.json")
    assert "older than predictions.jsonl" in load_results(run_dir).partial.reason


def test_a_failed_prediction_fails_every_metric_shown_so_far(kit_runs, copy_run):
    run_dir = copy_run(kit_runs["flaky"])
    (run_dir / "results.json").unlink()
    run = load_run(run_dir)
    sample = next(s for s in run.samples if s.id == "question-answering-001")
    assert sample.error and sample.failures["length_ratio"].startswith("prediction failed")
    assert run.results.results["kit_vqa"]["length_ratio"].n_failed == 1


def test_a_folder_with_only_run_json_is_an_empty_partial_run(judged_run, tmp_path):
    (tmp_path / "run.json").write_text((judged_run / "run.json").read_text())
    run = load_run(tmp_path)
    assert run.samples == [] and run.results.results == {} and run.results.partial.predictions == 0


@pytest.mark.parametrize("name", ["predictions.jsonl", "scores.jsonl"])
def test_a_corrupt_journal_line_is_named(judged_run, copy_run, name):
    run_dir = copy_run(judged_run)
    path = run_dir / name
    lines = path.read_text().splitlines(keepends=True)
    lines[1] = "{not json\n"
    path.write_text("".join(lines))
    (run_dir / "results.json").unlink()
    with pytest.raises(Exception, match=rf"{name}, line 2: not JSON"):
        load_run(run_dir)
