"""`medgen calibrate`: judge scores from samples.jsonl against human ratings from a CSV."""

from __future__ import annotations

import json

import pytest
from medgen_judge.calibrate import calibrate

from medgen_core import MedgenError

JUDGE = "vlm:openai/test-judge"
SCORES = [2, 4, 5, 6, 8, 9]


def write_run(folder, extra_lines=()):
    folder.mkdir()
    lines = []
    for i, s in enumerate(SCORES):
        verdict = {"overall": float(s), "dimensions": {"accuracy": float(s)}, "explanations": {}, "analysis": "a"}
        lines.append({"task": "t", "id": f"s{i}", "judges": {JUDGE: {"with_reference": verdict}}})
    lines += list(extra_lines)
    (folder / "samples.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return folder


def write_ratings(path, rows, header="task,id,dimension,score,rater"):
    path.write_text(header + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")
    return path


def ratings_rows():
    rows = []
    for i, s in enumerate(SCORES):
        for rater in ("ann", "bob"):
            rows.append(("t", f"s{i}", "overall", s, rater))  # the judge agrees with both experts
            rows.append(("t", f"s{i}", "accuracy", 11 - s, rater))  # the judge ranks them backwards
    rows.append(("t", "s99", "overall", 5, "ann"))  # a sample the judge never scored
    return rows


def test_agreement_figures(tmp_path):
    extra = [
        {"task": "t", "id": "f1", "judges": {JUDGE: {"with_reference": {"error": "unusable judge reply"}}}},
        {"task": "t", "id": "f2", "judges": {JUDGE: {"with_reference": {"not_judged": "budget"}}}},
    ]
    run = write_run(tmp_path / "run", extra)
    report = calibrate(run, write_ratings(tmp_path / "r.csv", ratings_rows()))
    rows = {r["dimension"]: r for r in report["rows"]}
    assert list(rows) == ["overall", "accuracy"] and report["raters"] == ["ann", "bob"]
    overall, accuracy = rows["overall"], rows["accuracy"]
    assert overall["n"] == 6 and overall["pearson"]["r"] == pytest.approx(1.0)
    assert overall["spearman"]["rho"] == pytest.approx(1.0) and overall["kappa_quadratic"] == pytest.approx(1.0)
    assert overall["icc_humans"]["icc2_1"] == pytest.approx(1.0)
    assert overall["icc_with_judge"]["icc2_1"] == pytest.approx(1.0) and overall["icc_with_judge"]["items"] == 6
    assert accuracy["pearson"]["r"] == pytest.approx(-1.0) and accuracy["spearman"]["rho"] == pytest.approx(-1.0)
    assert accuracy["kappa_quadratic"] < -0.5 and accuracy["icc_with_judge"]["icc2_1"] < 0.5
    assert report["unmatched_ratings"] == 1 and report["n_ratings"] == 25
    assert report["judge_failures"] == {f"{JUDGE}[with_reference]": 1}
    assert report["not_judged"] == {f"{JUDGE}[with_reference]": 1}


def test_one_rater_and_mode_column(tmp_path):
    run = write_run(tmp_path / "run")
    rows = [("t", f"s{i}", "overall", s, "", "with_reference") for i, s in enumerate(SCORES)]
    rows.append(("t", "s0", "accuracy", 7, "", "without_reference"))  # applies to another mode only
    report = calibrate(run, write_ratings(tmp_path / "r.csv", rows, "task,id,dimension,score,rater,mode"))
    (row,) = report["rows"]
    assert row["dimension"] == "overall" and row["icc_humans"] is None and row["pearson"]["r"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("task,id,score\nt,s0,5\n", "missing column(s) dimension"),
        ("task,id,dimension,score\nt,s0,overall,11\n", "r.csv:2: score 11 is outside 1-10"),
        ("task,id,dimension,score\nt,s0,overall,good\n", "r.csv:2: score 'good' is not a number"),
        (
            "task,id,dimension,score\nt,s0,overall,5\nt,s0,overall,6\n",
            "r.csv:3: rater 'rater' rated t/s0/overall twice",
        ),
        ("task,id,dimension,score,mode\nt,s0,overall,5,sometimes\n", "mode 'sometimes'"),
        ("task,id,dimension,score\n", "no ratings"),
    ],
)
def test_bad_ratings_name_file_and_line(tmp_path, content, message):
    (tmp_path / "r.csv").write_text(content)
    with pytest.raises(MedgenError) as err:
        calibrate(write_run(tmp_path / "run"), tmp_path / "r.csv")
    assert message in str(err.value)


def test_command_prints_table_and_writes_json(tmp_path, medgen_cli):
    from medgen_judge import medgen_register_commands

    from medgen_core.cli import cli

    medgen_register_commands(cli)
    run = write_run(tmp_path / "run")
    result = medgen_cli("calibrate", run, write_ratings(tmp_path / "r.csv", ratings_rows()))
    assert result.exit_code == 0, result.output
    assert "judge vs 2 human rater(s)" in result.output and "accuracy" in result.output and "-1.000" in result.output
    saved = json.loads((run / "calibration.json").read_text())
    assert [r["dimension"] for r in saved["rows"]] == ["overall", "accuracy"]
    missing = medgen_cli("calibrate", run, tmp_path / "r.csv", "--judge", "vlm:other")
    assert missing.exit_code == 2 and "judges in this run: vlm:openai/test-judge" in missing.output
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "samples.jsonl").write_text(json.dumps({"task": "t", "id": "a", "scores": {}}) + "\n")
    none = medgen_cli("calibrate", empty, tmp_path / "r.csv")
    assert none.exit_code == 2 and "no judge scores" in none.output
