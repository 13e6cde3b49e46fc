"""The main job end to end on the bundled sample: `medgen run` with `api`, `api_image`, `api_unified` and
`compose`, each the real litellm client talking to a server on 127.0.0.1 that answers like the oracle, with
every installed scorer on; the fake key is in no file of any run folder and in no output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from api_testkit import FAKE_KEY, KEY_ENV
from medgen_litellm.testing import ScriptedServer
from sample_oracle import SampleOracle

from medgen_core import sample_benchmark_dir

LIMIT = 1
VQA = ("multiple_choice", "blank_filling", "question_answering", "report_generation")
EDIT = (
    "style_transfer",
    "artifact_removal",
    "noise_reconstruction",
    "resolution_editing",
    "contrast_enhancement",
    "anatomical_annotation",
)
GEN = (
    "disease_prediction",
    "instruction_editing",
    "organ_removal",
    "organ_reconstruction",
    "projection_3d_to_2d",
    "reconstruction_2d_to_3d",
)
BERTSCORE = "bertscore_f1[all-MiniLM-L6-v2@L6]"
BERTSCORE_ARGS = "bertscore:model=all-MiniLM-L6-v2"  # the shipped model (PubMedBERT is not on the index)


@pytest.fixture(scope="module")
def oracle_server():
    with ScriptedServer(default=SampleOracle(sample_benchmark_dir())) as srv:
        yield srv


@pytest.fixture
def run(medgen_cli, oracle_server, monkeypatch, tmp_path):
    """``run(model, model_args, tasks)`` -> (results.json, output, run folder); calls are counted per run."""
    monkeypatch.delenv("MEDGEN_LOAD_PLUGINS", raising=False)
    outputs: list[str] = []

    def invoke(model: str, model_args: str, tasks: str) -> tuple[dict, str, Path]:
        folder = tmp_path / model
        oracle_server.reset()
        result = medgen_cli(
            "run", "--tasks", tasks, "--limit", LIMIT, "--model", model, "--model_args", model_args,
            "--output_path", folder, *([] if tasks == "medgen_edit" else ["--metric_args", BERTSCORE_ARGS]),
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
        return json.loads((folder / "results.json").read_text()), result.output, folder

    yield invoke
    for path in tmp_path.rglob("*"):  # the key is in no file any run wrote, and in no output
        if path.is_file():
            assert FAKE_KEY.encode() not in path.read_bytes(), path
    assert not any(FAKE_KEY in output for output in outputs)


def where(server: ScriptedServer, model: str) -> str:
    return f"model={model},api_base={server.url},api_key_env={KEY_ENV},concurrency=4"


def assert_text_oracle(results: dict, tasks: tuple[str, ...]) -> None:
    for task in tasks:
        metrics = results[task]
        assert metrics[BERTSCORE]["mean"] == pytest.approx(1.0, abs=1e-5), task
        assert metrics[BERTSCORE]["n"] == LIMIT and metrics[BERTSCORE]["n_failed"] == 0
    if "multiple_choice" in tasks:
        assert results["multiple_choice"]["accuracy"]["mean"] == 1.0
        assert results["blank_filling"]["exact_match"]["mean"] == 1.0


def assert_image_oracle(results: dict, tasks: tuple[str, ...]) -> None:
    for task in tasks:
        assert results[task]["ssim"]["mean"] == 1.0 and results[task]["psnr"]["mean"] == 100.0, task
        assert results[task]["ssim"]["pass_rate"] == 1.0 and results[task]["ssim"]["n_failed"] == 0


def test_api_on_the_vqa_tasks(run, oracle_server):
    results, _, folder = run("api", where(oracle_server, "openai/test-vlm"), "medgen_vqa")
    assert_text_oracle(results["results"], VQA)
    assert oracle_server.calls == len(VQA) * LIMIT
    mc = next(r for r in oracle_server.requests if "Options:" in r.texts[-1])  # the option list reaches the model
    assert len(mc.image_urls) == 1 and mc.image_urls[0].startswith("data:image/png;base64,")
    usage = results["usage"]["model"]
    assert usage["calls"] == 4 and usage["prompt_tokens"] > 4 * 85 and usage["completion_tokens"] > 0
    saved = [json.loads(line) for line in (folder / "predictions.jsonl").read_text().splitlines()]
    assert all(p["usage"]["attempts"] == 1 and p["usage"]["latency_s"] > 0 for p in saved)


def test_api_image_on_the_editing_tasks(run, oracle_server):
    results, _, _ = run("api_image", where(oracle_server, "openai/gpt-image-1"), "medgen_edit")
    assert_image_oracle(results["results"], EDIT)
    assert [r.path for r in oracle_server.requests] == ["/v1/images/edits"] * len(EDIT)
    assert all([len(files) for files in r.files.values()] == [1] for r in oracle_server.requests)  # the input


def test_api_unified_on_every_task(run, oracle_server):
    results, _, _ = run("api_unified", where(oracle_server, "openai/test-unified"), "medgen")
    assert_text_oracle(results["results"], VQA + GEN)
    assert_image_oracle(results["results"], EDIT + GEN)
    assert oracle_server.calls == 16 * LIMIT
    asked_images = [r for r in oracle_server.requests if r.json.get("modalities") == ["image", "text"]]
    assert len(asked_images) == len(EDIT + GEN)


def test_compose_on_every_task(run, oracle_server):
    vlm = f'"api:{where(oracle_server, "openai/test-vlm")}"'
    image = f'"api_image:{where(oracle_server, "openai/gpt-image-1")}"'
    results, output, folder = run("compose", f"vlm={vlm},image={image}", "medgen")
    assert_text_oracle(results["results"], VQA + GEN)
    assert_image_oracle(results["results"], EDIT + GEN)
    paths = [r.path for r in oracle_server.requests]
    assert paths.count("/v1/chat/completions") == 16 and paths.count("/v1/images/edits") == len(EDIT)
    assert paths.count("/v1/images/generations") == len(GEN)  # generation tasks: the image model draws anew
    saved = {p["task"]: p for p in map(json.loads, (folder / "predictions.jsonl").read_text().splitlines())}
    raw = json.loads(saved["disease_prediction"]["raw"])
    assert raw["image_prompt"] == "the ground truth of disease-prediction-0000" and raw["fallback"] is None
    assert saved["disease_prediction"]["usage"]["vlm"]["attempts"] == 1
    assert saved["disease_prediction"]["usage"]["image"]["latency_s"] > 0
    run_json = json.loads((folder / "run.json").read_text())
    assert run_json["model"]["args"]["vlm"].startswith("api:model=openai/test-vlm")


def test_a_key_given_as_an_argument_is_refused_and_never_written(medgen_cli, oracle_server, tmp_path):
    oracle_server.reset()
    result = medgen_cli(
        "run", "--tasks", "multiple_choice", "--limit", 1, "--model", "api", "--output_path", tmp_path / "k",
        "--model_args", f"model=openai/x,api_base={oracle_server.url},api_key={FAKE_KEY}",
    )  # fmt: skip
    assert result.exit_code == 2 and "api_key_env" in result.output and FAKE_KEY not in result.output
    assert oracle_server.calls == 0
    for path in (tmp_path / "k").rglob("*"):
        assert FAKE_KEY.encode() not in path.read_bytes(), path


def test_a_key_inside_a_compose_spec_is_never_written(medgen_cli, tmp_path):
    spec = f'vlm="api:model=openai/x,api_key={FAKE_KEY}",image=identity'
    result = medgen_cli(
        "run", "--tasks", "multiple_choice", "--limit", 1, "--model", "compose", "--model_args", spec,
        "--output_path", tmp_path / "k",
    )  # fmt: skip
    assert result.exit_code == 2 and "api_key_env" in result.output and FAKE_KEY not in result.output
    for path in (tmp_path / "k").rglob("*"):
        assert FAKE_KEY.encode() not in path.read_bytes(), path
