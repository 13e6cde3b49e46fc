"""The pipeline's extension points: third-party transforms, the model stages, the CLI and the hooks."""

from __future__ import annotations

import json
from pathlib import Path

import click
import numpy as np
import pytest
from click.testing import CliRunner
from medgen_build.cli import build_command
from medgen_build.pipeline import BuildOptions, build
from medgen_build.registry import transform_registry
from medgen_build.tasks import Recipe
from medgen_build.transforms import BUILTIN, Pair

from medgen_core import hookimpl
from medgen_core.paths import sample_benchmark_dir
from medgen_core.plugins import get_host, reset_host
from medgen_core.types import ModelOutput

SOURCES = sample_benchmark_dir() / "sources"


def _records(root: Path, folder: str) -> list[dict]:
    return [json.loads(x) for x in (root / folder / "data.jsonl").read_text().splitlines() if x.strip()]


@pytest.fixture
def host():
    reset_host()
    yield get_host()
    reset_host()


class ThirdPartyTransforms:
    """A plugin object that adds one transform, as an installed plugin would."""

    @staticmethod
    def posterise(img: np.ndarray, rng: np.random.Generator, levels: int = 4) -> Pair:
        step = 256 / levels
        out = (np.floor(img / step) * step).astype(np.float32)
        return Pair(
            out,
            img.astype(np.float32),
            meta={"params": {"levels": levels}, "effect": f"posterised to {levels} grey levels"},
        )

    @hookimpl
    def medgen_register_transforms(self, register):
        register("posterise", self.posterise, family="test", modalities=["ct", "mri"], description="Posterise.")


def test_builtin_transforms_register_through_the_hook(host):
    registry = transform_registry()
    assert set(BUILTIN) <= set(registry)
    assert registry["rician_noise"]["modalities"] == ["mri"] and registry["rician_noise"]["plugin"] == "build"
    assert set(registry["poisson_noise"]["modalities"]) == {"xray", "ct"}


def test_third_party_transform_is_used_by_the_pipeline(host, tmp_path):
    host.register_plugin(ThirdPartyTransforms(), name="thirdparty")
    recipe = Recipe(("posterise",), {"posterise": ({"levels": 3},)}, observed_subtask="posterise")
    opts = BuildOptions(
        sources=SOURCES,
        out=tmp_path / "ds",
        per_task=2,
        tasks=("contrast_enhancement",),
        extra_recipes={"contrast_enhancement": (recipe,)},
    )
    report = build(opts)
    recs = _records(tmp_path / "ds", "ImageEditing/contrast-enhancement")
    mine = [r for r in recs if r["build"]["transform"] == "posterise"]
    assert report.counts["contrast_enhancement"] == 4 and len(mine) == 2
    assert all(r["build"]["plugin"] == "thirdparty" and r["build"]["params"] == {"levels": 3} for r in mine)
    assert all(r["modality"] in ("CT", "MRI") and "posterised to 3 grey levels" in r["instruction"] for r in mine)


def test_unknown_transform_is_a_clear_error(host, tmp_path):
    from medgen_core.types import MedgenError

    opts = BuildOptions(
        sources=SOURCES,
        out=tmp_path / "ds",
        per_task=1,
        tasks=("contrast_enhancement",),
        extra_recipes={"contrast_enhancement": (Recipe(("no_such_transform",)),)},
    )
    with pytest.raises(MedgenError, match="no_such_transform"):
        build(opts)


class FakeModel:
    """Answers by prompt: rejects ultrasound sources, rewrites instructions, fails reviews that mention 'FAILME'."""

    batch_size = 3
    calls: list[int] = []

    def predict(self, requests):
        FakeModel.calls.append(len(requests))
        out = []
        for r in requests:
            if r.prompt.startswith("Look at the image"):
                out.append(ModelOutput(text="no, not that" if r.sample.modality == "us" else "yes, it does"))
            elif r.prompt.startswith("Rewrite"):
                out.append(ModelOutput(text="REWRITTEN " + r.prompt.split("Instruction: ", 1)[1]))
            elif "FAILME" in r.prompt:
                out.append(ModelOutput(text="FAIL wrong answer"))
            else:
                out.append(ModelOutput(text="PASS looks right"))
        return out


class FakeModelPlugin:
    @hookimpl
    def medgen_register_models(self, register):
        register("fake-vlm", FakeModel, capabilities=["text_out", "image_in"], description="test double")


def test_model_stages_call_registered_models_and_record_it(host, tmp_path):
    host.register_plugin(FakeModelPlugin(), name="fake")
    opts = BuildOptions(
        sources=SOURCES,
        out=tmp_path / "ds",
        per_task=3,
        tasks=("noise_reconstruction", "multiple_choice"),
        vlm_filter="fake-vlm",
        llm_augment="fake-vlm",
        vlm_review="fake-vlm",
    )
    report = build(opts)
    manifest = json.loads((tmp_path / "ds" / "manifest.json").read_text())
    rejected = manifest["build"]["stage1_filter"]["rejected"]
    assert {r["file"].split("/")[0] for r in rejected} == {"us"} and len(rejected) == 6
    assert all("fake-vlm" in r["reason"] for r in rejected)
    recs = _records(tmp_path / "ds", "ImageEditing/noise-reconstruction") + _records(
        tmp_path / "ds", "VQA/multiple-choice"
    )
    assert report.counts == {"multiple_choice": 3, "noise_reconstruction": 3}
    for r in recs:
        assert r["modality"] != "Ultrasound"
        aug = r["build"]["text"]["llm_augment"]
        assert aug["model"] == "fake-vlm" and aug["changed"] is True
        assert r["instruction"] == "REWRITTEN " + aug["template_instruction"]
        assert r["review"]["vlm"] == {"model": "fake-vlm", "reply": "PASS looks right", "verdict": "pass"}
    assert max(FakeModel.calls) <= 3


def test_vlm_review_failures_leave_the_dataset(host, tmp_path, monkeypatch):
    host.register_plugin(FakeModelPlugin(), name="fake")
    from medgen_build import models

    monkeypatch.setattr(models, "REVIEW_PROMPT", "Review FAILME: {instruction} / {answer}")
    opts = BuildOptions(
        sources=SOURCES, out=tmp_path / "ds", per_task=2, tasks=("resolution_editing",), vlm_review="fake-vlm"
    )
    report = build(opts)
    # the fake reviewer fails every prompt that carries FAILME
    assert report.counts == {"resolution_editing": 0}
    assert {f["id"] for f in report.failed_review} == {"resolution-editing-0000", "resolution-editing-0001"}
    assert not list((tmp_path / "ds" / "ImageEditing" / "resolution-editing" / "images").glob("*.png"))


def test_cli_builds_into_a_folder_and_registers_on_a_group(tmp_path):
    result = CliRunner().invoke(
        build_command, ["--out", str(tmp_path / "ds"), "--per-task", "1", "--max-size", "96", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "wrote 17 records in 16 tasks" in result.output
    manifest = json.loads((tmp_path / "ds" / "manifest.json").read_text())
    assert manifest["build"]["seed"] == 3 and manifest["build"]["max_size"] == 96
    group = click.Group("medgen")
    get_host().pm.hook.medgen_register_commands(cli=group)
    assert "build" in group.commands


def test_cli_refuses_to_overwrite_a_foreign_folder(tmp_path):
    (tmp_path / "ds").mkdir()
    (tmp_path / "ds" / "precious.txt").write_text("keep me")
    result = CliRunner().invoke(build_command, ["--out", str(tmp_path / "ds"), "--per-task", "1"])
    assert result.exit_code != 0 and "refusing to overwrite" in result.output
    assert (tmp_path / "ds" / "precious.txt").read_text() == "keep me"
