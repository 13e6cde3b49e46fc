"""A whole `medgen run` with an API model, the pixel and text scorers and the vlm judge, against each stage alone.

Real APIs take seconds per call, so the loopback servers here answer each call in ``--latency`` seconds
(default 2) and every client keeps ``--concurrency`` calls in flight (default 16). The model is
``compose`` (a VLM half and an image half, both through litellm): VQA tasks are one VLM call, editing and
generation tasks a VLM call then an image call. The judge grades both modes. The data is the bundled
sample repeated (256x256 images, real text), ``--limit`` records per task.

Each stage is measured alone, in this process, after a warm-up run has imported everything:

- model: ``medgen run --predict_only``;
- scorers: ``medgen score`` on that folder (SSIM, PSNR, LPIPS marked unavailable offline, BERTScore with
  the shipped all-MiniLM-L6-v2, BLEU, accuracy, exact match);
- judge: ``medgen score --judge vlm`` on that folder, minus the scorers' time (``score`` recomputes the
  metrics, then judges).

The ideal is the slowest stage alone; the stages overlap in a real run, so the end-to-end ``medgen run``
should take little more than that (goal: at least 80% of the ideal rate). The call-bound rate
(``concurrency / latency`` calls per second) shows how much of the stage time is waiting for calls.

    python benchmarks/bench_api_run.py [--limit 19] [--latency 2] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import tempfile
import time
from pathlib import Path

from bench_judge import responder as judge_responder
from machine import machine_line

for _var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ["MEDGEN_BENCH_KEY"] = "sk-bench-not-a-real-key"
WORK = Path(tempfile.mkdtemp(prefix="medgen-bench-api-"))
os.environ["TORCH_HOME"] = str(WORK / "torch-home")  # offline: LPIPS is marked unavailable, as in CI
BERTSCORE = "bertscore:model=all-MiniLM-L6-v2"


def model_responder():
    """The VLM half answers a plan (JSON) or a text answer; the image half returns a 256x256 PNG."""
    from medgen_litellm.testing import RecordedRequest, Reply, json_reply, reply, small_png

    image = small_png(shade=120, size=256)

    def respond(request: RecordedRequest) -> Reply:
        if request.path.startswith("/v1/images"):
            return Reply(image=image)
        if '"image_prompt"' in request.texts[-1]:
            return json_reply({"answer": "The lesion has grown.", "image_prompt": "Axial CT, larger lesion."})
        return reply("A hypodense lesion in the right hepatic lobe, most likely a simple cyst.")

    return respond


def serve(kind: str, latency: float, pipe) -> None:
    """A scripted server in its own process (as a remote API is), until the parent says stop."""
    from medgen_litellm.testing import ScriptedServer

    respond = model_responder() if kind == "model" else judge_responder()
    with ScriptedServer(default=respond, latency_s=latency) as server:
        pipe.send(server.url)
        while pipe.recv() == "calls":
            pipe.send(server.calls)


class Server:
    """A server process; ``calls()`` asks it how many calls it has answered so far."""

    def __init__(self, kind: str, latency: float) -> None:
        context = multiprocessing.get_context("fork")
        self.pipe, theirs = context.Pipe()
        self.process = context.Process(target=serve, args=(kind, latency, theirs), daemon=True)
        self.process.start()
        self.url: str = self.pipe.recv()

    def calls(self) -> int:
        self.pipe.send("calls")
        return self.pipe.recv()

    def stop(self) -> None:
        self.pipe.send("stop")
        self.process.join(5)


def repeated_sample(dest: Path, copies: int) -> Path:
    """The bundled sample with every record repeated ``copies`` times under new ids (images shared)."""
    from medgen_core import sample_benchmark_dir

    shutil.copytree(sample_benchmark_dir() / "medgen-sample", dest)
    manifest = json.loads((dest / "manifest.json").read_text())
    for data in dest.rglob("data.jsonl"):
        records = [json.loads(line) for line in data.read_text().splitlines()]
        copied = [{**rec, "id": f"{rec['id']}-copy{c}"} for c in range(copies) for rec in records]
        data.write_text("".join(json.dumps(rec) + "\n" for rec in copied))
        task_manifest = data.parent / "task_manifest.json"
        counts = json.loads(task_manifest.read_text())
        counts["record_count"] = len(copied)
        task_manifest.write_text(json.dumps(counts))
        manifest["tasks"][f"{data.parent.parent.name}/{data.parent.name}"]["record_count"] = len(copied)
    manifest["validation"]["actual_record_count"] *= copies
    (dest / "manifest.json").write_text(json.dumps(manifest))
    return dest


def medgen(*args: str) -> float:
    """Seconds one in-process `medgen` command took; a failure stops the benchmark."""
    from click.testing import CliRunner

    from medgen_core.cli import cli

    started = time.perf_counter()
    result = CliRunner().invoke(cli, [*args, "--quiet"])
    seconds = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(f"medgen {' '.join(args[:4])} ... failed ({result.exit_code}):\n{result.output}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=19, help="records per task (16 tasks)")
    parser.add_argument("--latency", type=float, default=2.0, help="seconds each server takes per call")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    model, judge = Server("model", args.latency), Server("judge", args.latency)
    print(machine_line(), flush=True)
    data = repeated_sample(WORK / "data", copies=-(-args.limit // 10))
    half = f"api_base={model.url},api_key_env=MEDGEN_BENCH_KEY,concurrency={args.concurrency}"
    model_args = f'vlm="api:model=openai/bench-vlm,{half}",image="api_image:model=openai/bench-image,{half}"'
    judge_args = f"model=openai/bench-judge,api_base={judge.url},api_key_env=MEDGEN_BENCH_KEY,cache=false"
    with_judge = ["--judge", "vlm", "--judge_args", f"{judge_args},concurrency={args.concurrency}"]

    def run(folder: str, limit: int, *extra: str, tasks: str = "medgen") -> float:
        return medgen(
            "run", "--tasks", tasks, "--limit", str(limit), "--data_root", str(data), "--model", "compose",
            "--model_args", model_args, "--metric_args", BERTSCORE, "--output_path", str(WORK / folder), *extra,
        )  # fmt: skip

    run("warm-up", 1, *with_judge, tasks="multiple_choice,disease_prediction")  # imports, model loads: not timed
    before = model.calls()
    t_model = run("stages", args.limit, "--predict_only")
    model_calls = model.calls() - before
    samples = sum(1 for _ in (WORK / "stages" / "predictions.jsonl").open())
    t_score = medgen("score", str(WORK / "stages"))
    before = judge.calls()
    t_judge = medgen("score", str(WORK / "stages"), *with_judge) - t_score  # score recomputes metrics, then judges
    judge_calls = judge.calls() - before
    t_end_to_end = run("end-to-end", args.limit, *with_judge)
    model.stop()
    judge.stop()

    bound = args.concurrency / args.latency
    print(
        f"medgen run, compose model + pixel/text scorers + vlm judge (both modes): {samples} samples of 16 tasks, "
        f"servers {args.latency:g} s/call, concurrency {args.concurrency} (call-bound: {bound:g} calls/s)"
    )

    def row(label: str, seconds: float, calls: int | None = None) -> None:
        note = ""
        if calls is not None:
            note = (
                f"  {calls} calls, {calls / seconds:.2f} calls/s = {100 * calls / seconds / bound:.0f}% of call-bound"
            )
        print(f"  {label:<38} {seconds:7.1f} s  {samples / seconds:5.2f} samples/s{note}")

    ideal = max(t_model, t_score, t_judge)
    row("model alone (--predict_only)", t_model, model_calls)
    row("scorers alone (medgen score)", t_score)
    row("judge alone (score --judge - score)", t_judge, judge_calls)
    row("stage after stage (sum of the three)", t_model + t_score + t_judge)
    row("ideal (the slowest stage)", ideal)
    row("end to end (medgen run)", t_end_to_end)
    print(f"  end to end = {100 * ideal / t_end_to_end:.0f}% of the ideal rate (goal >= 80%)")
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
