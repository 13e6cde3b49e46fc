"""The README's main job on the bundled sample, with every installed scorer (smaller: a few tasks)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from medgen_core.cli import cli


@pytest.fixture(scope="module")
def runs(tmp_path_factory, monkeypatch_module):
    monkeypatch_module.setenv("TORCH_HOME", str(tmp_path_factory.mktemp("torch-home")))  # no AlexNet here
    folder = tmp_path_factory.mktemp("runs")
    out = {}
    for model in ("oracle", "identity", "classical"):
        result = CliRunner().invoke(
            cli,
            [
                "run",
                "--tasks",
                "ct_lesion_edit,multiple_choice,noise_reconstruction",
                "--model",
                model,
                "--limit",
                "4",
                "--output_path",
                str(folder / model),
                "--metric_args",
                "bertscore:model=all-MiniLM-L6-v2",
            ],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        out[model] = json.loads((folder / model / "results.json").read_text())
        out[model + "_output"] = result.output
    return out


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_oracle_is_the_ceiling(runs):
    r = runs["oracle"]["results"]
    assert r["noise_reconstruction"]["ssim"]["mean"] == 1.0 and r["noise_reconstruction"]["psnr"]["mean"] == 100.0
    assert r["multiple_choice"]["accuracy"]["mean"] == 1.0
    assert r["ct_lesion_edit"]["bertscore_f1[all-MiniLM-L6-v2@L6]"]["mean"] == pytest.approx(1.0, abs=1e-5)
    assert r["ct_lesion_edit"]["bertscore_f1[all-MiniLM-L6-v2@L6]"]["pass_rate"] == 1.0


def test_lpips_without_backbone_is_unavailable_not_zero(runs):
    lpips = runs["oracle"]["results"]["noise_reconstruction"]["lpips[alex]"]
    assert "alexnet-owt-7be5be79.pth" in lpips["unavailable"] and lpips["n_failed"] == lpips["n"] == 4
    assert "mean" not in lpips


def test_identity_floor_and_classical_between(runs):
    ident = runs["identity"]["results"]
    classical = runs["classical"]["results"]
    assert ident["multiple_choice"]["accuracy"]["mean"] == 0.0
    assert ident["noise_reconstruction"]["psnr"]["mean"] < classical["noise_reconstruction"]["psnr"]["mean"] < 100
    assert runs["classical"]["config"]["model"]["name"] == "classical"
    assert runs["classical"]["results"]["ct_lesion_edit"]["ssim"]["n"] == 4
    assert "medgen results" in runs["classical_output"]
    assert "bertscore_f1[all-MiniLM-L6-v2@L6]" in runs["classical_output"]  # keys print as written, not as markup
    assert "lpips[alex]" in runs["classical_output"] and "unavailable" in runs["classical_output"]
