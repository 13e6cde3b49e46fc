"""docs/writing-a-task.md's worked example, examples/mri-denoise: run as the page says, it gives the figures shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from medgen_core.cli import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mri-denoise"
TASKS = ",".join(str(EXAMPLE / f"{name}.yaml") for name in ("mri_denoise", "mri_denoise_parquet", "mri_sequence"))


def run(model: str, out: Path) -> dict:
    result = CliRunner().invoke(
        cli, ["run", "--tasks", TASKS, "--model", model, "--output_path", str(out), "--quiet"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return json.loads((out / "results.json").read_text())["results"]


def test_example_runs_with_oracle_and_identity(tmp_path):
    oracle, identity = run("oracle", tmp_path / "oracle"), run("identity", tmp_path / "identity")
    for task in ("mri_denoise", "mri_denoise_parquet"):
        assert (oracle[task]["psnr"]["mean"], oracle[task]["ssim"]["mean"]) == (100.0, 1.0)
        assert identity[task]["psnr"]["n"] == 4 and identity[task]["psnr"]["n_failed"] == 0
        assert identity[task]["psnr"]["mean"] == pytest.approx(28.16, abs=0.005)  # the noisy input: sigma 12
        assert identity[task]["ssim"]["mean"] == pytest.approx(0.5491, abs=5e-5)
        assert (identity[task]["psnr"]["pass_rate"], identity[task]["ssim"]["pass_rate"]) == (0.5, 0.25)
    assert oracle["mri_sequence"]["accuracy"]["mean"] == 1.0 and identity["mri_sequence"]["accuracy"]["mean"] == 0.0
    prompts = [
        json.loads(line)["prompt"] for line in (tmp_path / "oracle" / "predictions.jsonl").read_text().splitlines()
    ]
    assert "Remove the noise from this FLAIR MR image (axial plane) without changing the anatomy." in prompts
    assert "Which MR sequence produced this image?\nA. T1-weighted\nB. FLAIR\nC. Proton density" in "\n".join(prompts)


def test_example_data_matches_its_builder(tmp_path):
    """The shipped files are what make_dataset.py writes from the bundled sources (so the licences hold)."""
    import runpy
    import shutil

    copy = tmp_path / "examples" / "mri-denoise"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("data"))
    (tmp_path / "sample_benchmark").symlink_to(EXAMPLE.parents[1] / "sample_benchmark")
    runpy.run_path(str(copy / "make_dataset.py"), run_name="__main__")
    for name in ["cases.jsonl", *(f"images/{p.name}" for p in (EXAMPLE / "data" / "images").iterdir())]:
        assert (copy / "data" / name).read_bytes() == (EXAMPLE / "data" / name).read_bytes(), name
