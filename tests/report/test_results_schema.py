"""results.json as typed, versioned data: what the core writes loads; older files load; bad ones fail clearly."""

from __future__ import annotations

import json

import pytest

from medgen_core.results import SCHEMA_VERSION, ResultsError, load_results, load_run, parse_key, parse_results


def test_the_core_writes_the_current_version_and_it_loads(judged_run):
    raw = json.loads((judged_run / "results.json").read_text())
    assert raw["schema_version"] == SCHEMA_VERSION
    results = load_results(judged_run)
    assert results.partial is None and results.model_name == "classical"
    ssim = results.results["style_transfer"]["ssim"]
    assert ssim.tier == "pixel" and ssim.n == 2 and ssim.threshold == 0.7
    assert ssim.mean == pytest.approx(raw["results"]["style_transfer"]["ssim"]["mean"])
    medgen = results.groups["medgen"]
    assert len(medgen.tasks) == 16 and "tasks" not in medgen.metrics  # the group's tasks kept apart
    assert medgen.metrics["judge:panel[with_reference]"].mean == pytest.approx(8.0)
    assert [j.key for j in results.config.judges] == [j["key"] for j in raw["config"]["judges"]]


def test_samples_carry_prompts_scores_and_verdicts(judged_run):
    run = load_run(judged_run)
    assert len(run.samples) == 32
    sample = next(s for s in run.samples if s.task == "instruction_editing")
    assert sample.prompt and "Edit" in sample.prompt  # read from predictions.jsonl
    assert sample.outcome("ssim")[0] == "scored"
    assert sample.outcome("lpips[alex]") == ("failed", sample.failures["lpips[alex]"])
    assert sample.outcome("no-such-metric") == ("absent", None)
    verdicts = {judge: modes["with_reference"].overall for judge, modes in sample.judges.items()}
    assert sorted(verdicts.values()) == [7.0, 9.0]


def test_a_round_trip_through_the_schema_keeps_the_file_shape(judged_run):
    results = load_results(judged_run)
    dumped = results.model_dump(mode="json")
    assert dumped["groups"]["medgen"]["tasks"] == results.groups["medgen"].tasks  # flat on disk, as written
    assert "partial" not in dumped
    assert parse_results(dumped, "dump") == results


def _as_version_0(raw: dict) -> dict:
    """results.json as medgen 0.1.0 wrote it: no schema_version, no tiers, one judge, judge_overall keys."""
    old = json.loads(json.dumps(raw))
    del old["schema_version"]
    for section in ("results", "groups"):
        for metrics in old[section].values():
            for key in [k for k in metrics if k.startswith("judge:")]:
                summary = metrics.pop(key)
                if key.startswith("judge:panel"):
                    metrics[key.replace("judge:panel", "judge_overall")] = summary
            for summary in metrics.values():
                if isinstance(summary, dict):
                    summary.pop("tier", None)
                    summary.pop("n_not_done", None)
    for key in ("holistic", "usage"):
        old.pop(key, None)
    old["config"]["judge"] = old["config"].pop("judges")[0]
    return old


def test_version_0_files_load(judged_run, copy_run):
    run_dir = copy_run(judged_run)
    raw = json.loads((run_dir / "results.json").read_text())
    (run_dir / "results.json").write_text(json.dumps(_as_version_0(raw)))
    lines = []
    for line in (run_dir / "samples.jsonl").read_text().splitlines():
        sample = json.loads(line)
        verdicts = [modes["with_reference"] for modes in sample.pop("judges").values()]
        verdict = next(v for v in verdicts if v["overall"] == 9.0)
        sample["scores"] = {k: v for k, v in sample["scores"].items() if not k.startswith("judge:")}
        sample["scores"]["judge_overall[with_reference]"] = verdict["overall"]
        sample["scores"]["judge_overall[with_reference].details"] = {"dimensions": verdict["dimensions"]}
        lines.append(json.dumps(sample))
    (run_dir / "samples.jsonl").write_text("\n".join(lines) + "\n")
    run = load_run(run_dir)
    assert run.results.schema_version == 0
    key = run.results.results["multiple_choice"]["judge_overall[with_reference]"]
    assert key.tier is None and key.mean == pytest.approx(8.0)
    assert parse_key("judge_overall[with_reference]", key.tier).tier == "holistic"
    assert run.results.config.judges[0].name == "fixed"
    assert run.samples[0].judges["judge"]["with_reference"].overall == 9.0  # the one judge's verdict, typed


def test_a_newer_version_fails_with_a_clear_message(judged_run, copy_run):
    run_dir = copy_run(judged_run)
    raw = json.loads((run_dir / "results.json").read_text())
    raw["schema_version"] = SCHEMA_VERSION + 1
    (run_dir / "results.json").write_text(json.dumps(raw))
    with pytest.raises(ResultsError, match=rf"results.json: schema_version {SCHEMA_VERSION + 1} .*newer medgen"):
        load_results(run_dir)


def test_a_wrong_field_is_named_with_its_path_and_version(judged_run, copy_run):
    run_dir = copy_run(judged_run)
    raw = json.loads((run_dir / "results.json").read_text())
    raw["results"]["style_transfer"]["ssim"]["n"] = -1
    raw["results"]["blank_filling"]["bleu"]["pass_rate"] = 1.5
    (run_dir / "results.json").write_text(json.dumps(raw))
    with pytest.raises(ResultsError) as err:
        load_results(run_dir)
    message = str(err.value)
    assert f"(schema_version {SCHEMA_VERSION})" in message
    assert "results.style_transfer.ssim.n" in message and "results.blank_filling.bleu.pass_rate" in message


def test_a_bad_sample_line_is_named_by_file_and_line(judged_run, copy_run):
    run_dir = copy_run(judged_run)
    path = run_dir / "samples.jsonl"
    lines = path.read_text().splitlines()
    broken = json.loads(lines[2])
    broken["failures"] = ["not", "a", "mapping"]
    lines[2] = json.dumps(broken)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ResultsError, match=r"samples.jsonl, line 3: failures"):
        load_run(run_dir)


def test_extra_fields_from_a_newer_core_are_kept(judged_run, copy_run):
    run_dir = copy_run(judged_run)
    raw = json.loads((run_dir / "results.json").read_text())
    raw["results"]["style_transfer"]["ssim"]["median"] = 0.5
    raw["calibration"] = {"note": "added later"}
    (run_dir / "results.json").write_text(json.dumps(raw))
    results = load_results(run_dir)
    assert results.results["style_transfer"]["ssim"].model_extra == {"median": 0.5}
    assert results.model_dump(mode="json")["calibration"] == {"note": "added later"}


def test_a_folder_that_is_no_run_is_refused(tmp_path):
    with pytest.raises(ResultsError, match="is not a medgen run folder"):
        load_results(tmp_path)
    with pytest.raises(ResultsError, match="no such run folder"):
        load_results(tmp_path / "missing")


def test_metric_keys_name_their_tier_judge_and_mode():
    panel = parse_key("judge:panel[without_reference]")
    assert (panel.tier, panel.judge, panel.mode, panel.is_panel) == ("holistic", "panel", "without_reference", True)
    vlm = parse_key("judge:vlm:gpt-4o[with_reference]")
    assert (vlm.judge, vlm.mode, vlm.label) == ("vlm:gpt-4o", "with_reference", "holistic (vlm:gpt-4o, with reference)")
    assert parse_key("lpips[alex]").tier == "pixel" and parse_key("lpips[alex]").base == "lpips"
    assert parse_key("bertscore_f1[x@L6]").tier == "text"
    assert parse_key("ssim", tier="text").tier == "text"  # the summary's own tier wins


def test_a_task_narrowed_by_a_group_filter_is_found_by_its_label(kit_runs):
    from medgen_core.report.view import RunReport

    run = load_run(kit_runs["ct"])
    assert list(run.results.results) == ["kit_gen[modality=ct]"]
    group = run.results.groups["kit_ct"]
    assert set(group.model_extra["empty_tasks"]) == {"kit_vqa", "kit_edit"} and "empty_tasks" not in group.metrics
    assert {s.task for s in run.samples} == {"kit_gen"}  # samples name the task itself
    assert run.results.metrics_of("kit_gen") is run.results.results["kit_gen[modality=ct]"]
    assert run.results.rule("kit_gen", "length_ratio") == (0.5, True)
    ct = RunReport(run).per_modality.rows[0]
    assert ct.label == "ct" and ct.cells["length_ratio"].n == len(run.samples) == 2
