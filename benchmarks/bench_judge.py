"""Judge throughput against a loopback server answering each call in 200 ms, layer by layer, side by side.

At concurrency 16 the ideal is 16 / 0.2 s = 80 calls/s. Each layer sends the same judge prompts
(system text, labelled images as data URIs) to the same scripted server:

- raw litellm, async ``acompletion`` under a semaphore (the other design, measured to choose);
- raw litellm, sync ``completion`` in a thread pool (what medgen-litellm builds on);
- the medgen-litellm client alone (prebuilt messages, no cache: retries, usage, cost, budget checks);
- the vlm judge's ``judge()`` on one batch (prompt building, image encoding, parsing; no cache).

Then the judge calls made when a finished run is run again (goal 0), and when the same outputs are
judged in another run folder (0 through the judge cache). Add a layer by appending to ``LAYERS``.

    python benchmarks/bench_judge.py [--calls 320] [--concurrency 16] [--latency 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from machine import machine_line

for _var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ["MEDGEN_BENCH_KEY"] = "sk-bench-not-a-real-key"
os.environ["MEDGEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="medgen-bench-cache-")

MODEL = "openai/bench-judge"


def judge_requests(n: int) -> list:
    """``n`` distinct judge requests, each with a 256x256 input and output image."""
    from PIL import Image

    from medgen_core import ImageRef, JudgeRequest, Rubric, Sample

    def png(shade: int) -> ImageRef:
        buf = io.BytesIO()
        Image.new("L", (256, 256), shade).save(buf, format="PNG")
        return ImageRef(f"img{shade}.png", data=buf.getvalue())

    dims = ("anatomical_accuracy", "clinical_finding_accuracy", "instruction_compliance")
    rubric = Rubric("bench", "You grade edited CT images.", dims, {}, ("The edit was done.",))
    out = []
    for i in range(n):
        sample = Sample(f"s{i}", "noise_reconstruction", "edit", "CT", f"Denoise image {i}.")
        images = [("Input", png(i % 200)), ("Output", png((i + 7) % 200))]
        out.append(JudgeRequest(sample, "without_reference", f"Denoised, case {i}.", images, None, rubric))
    return out


def responder():
    from medgen_litellm.testing import RecordedRequest, json_reply

    def respond(request: RecordedRequest):
        system = request.texts[0]
        example = json.loads(system[system.index("Reply with one JSON object only") :].split("\n", 1)[1])
        dims = {d: {"score": 8, "explanation": "fine"} for d in example["dimensions"]}
        return json_reply({"analysis": "ok", "dimensions": dims, "overall_score": 8, "final_thoughts": "ok"})

    return respond


def timed(label: str, n: int, ideal: float, run: Callable[[int], int], repeats: int) -> float:
    """The median rate of ``repeats`` runs of ``n`` calls (shared machines are noisy), with the range."""
    rates, ok = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        ok = run(n)
        rates.append(n / (time.perf_counter() - started))
    rate = statistics.median(rates)
    spread = f"[{min(rates):.1f}-{max(rates):.1f}]"
    print(f"  {label:<52} {rate:6.1f} calls/s {spread:>13}  ({100 * rate / ideal:5.1f}% of ideal)  {ok}/{n} ok")
    return rate


def layers(server, requests: list, messages: list, concurrency: int) -> list[tuple[str, Callable[[int], int]]]:
    """(label, run) per layer; ``run(n)`` sends the first ``n`` prompts and returns how many succeeded."""
    from medgen_judge.judge import VLMJudge
    from medgen_litellm import ChatCall, ClientSettings, LiteLLMClient
    from medgen_litellm.backend import litellm

    lite = litellm()
    key = os.environ["MEDGEN_BENCH_KEY"]

    def raw_async(n: int) -> int:
        async def batch() -> list:
            gate = asyncio.Semaphore(concurrency)

            async def one(m: list) -> object:
                async with gate:
                    return await lite.acompletion(model=MODEL, messages=m, api_base=server.url, api_key=key)

            return await asyncio.gather(*(one(m) for m in messages[:n]), return_exceptions=True)

        return sum(not isinstance(r, BaseException) for r in asyncio.run(batch()))

    def raw_pool(n: int) -> int:
        def one(m: list) -> object:
            try:
                return lite.completion(model=MODEL, messages=m, api_base=server.url, api_key=key, max_retries=0)
            except Exception as exc:
                return exc

        with ThreadPoolExecutor(concurrency) as pool:
            return sum(not isinstance(r, BaseException) for r in pool.map(one, messages[:n]))

    settings = ClientSettings(MODEL, api_base=server.url, api_key_env="MEDGEN_BENCH_KEY", concurrency=concurrency)
    client = LiteLLMClient(settings)

    def client_only(n: int) -> int:
        return sum(not isinstance(r, BaseException) for r in client.chat([ChatCall(m) for m in messages[:n]]))

    judge = VLMJudge(
        model=MODEL, api_base=server.url, api_key_env="MEDGEN_BENCH_KEY", concurrency=concurrency, cache=False
    )

    def plugin_judge(n: int) -> int:
        return sum(not isinstance(r, BaseException) for r in judge.judge(requests[:n]))

    return [
        ("raw litellm: acompletion + semaphore", raw_async),
        ("raw litellm: completion in a thread pool", raw_pool),
        ("medgen-litellm client (prebuilt messages)", client_only),
        ("vlm judge .judge() (prompts, images, parsing)", plugin_judge),
    ]


def end_to_end(server, requests: list, messages: list, concurrency: int) -> list[tuple[str, Callable[[int], int]]]:
    """The same judging through a whole ``medgen run`` (oracle answers, the vlm judge in both modes).

    The dataset is written once; each timed run uses a fresh run folder and no judge cache, so every
    judgement is a call. The time covers everything the run does: reading and checking samples, answering,
    judging in its pipeline stage, journals, results.
    """
    from click.testing import CliRunner
    from PIL import Image

    from medgen_core.cli import cli

    root = Path(tempfile.mkdtemp(prefix="medgen-bench-e2e-"))
    folder = root / "VQA" / "question-answering"
    (folder / "images").mkdir(parents=True)
    lines = []
    for i in range(len(requests) // 2):
        Image.new("L", (256, 256), i % 250).save(folder / "images" / f"{i}.png")
        record = {"id": f"q{i}", "category": "VQA", "modality": "CT", "instruction": f"What is shown in case {i}?"}
        lines.append(json.dumps({**record, "answer": f"finding {i}", "input_image": [f"images/{i}.png"]}))
    (folder / "data.jsonl").write_text("\n".join(lines) + "\n")
    task = root / "bench_judged.yaml"
    task.write_text(
        "task: bench_judged\ndataset_name: VQA/question-answering\noutput_type: text\n"
        "judge:\n  modes: [with_reference, without_reference]\n"
    )
    judge_args = f"model={MODEL},api_base={server.url},api_key_env=MEDGEN_BENCH_KEY,concurrency={concurrency}"

    def run(n: int) -> int:
        out = Path(tempfile.mkdtemp(prefix="medgen-bench-e2e-run-"))
        result = CliRunner().invoke(
            cli,
            ["run", "--tasks", str(task), "--model", "oracle", "--data_root", str(root), "--limit", str(n // 2)]
            + ["--judge", "vlm", "--judge_args", judge_args + ",cache=false", "--output_path", str(out), "--quiet"],
        )
        if result.exit_code != 0:
            raise SystemExit(result.output)
        scored = json.loads((out / "results.json").read_text())["results"]["bench_judged"]
        return sum(m["n"] - m["n_failed"] for m in scored.values())

    return [("medgen run end to end (oracle + vlm judge, 2 modes)", run)]


def LAYERS(server, requests: list, messages: list, concurrency: int) -> list[tuple[str, Callable[[int], int]]]:  # noqa: N802
    return [*layers(server, requests, messages, concurrency), *end_to_end(server, requests, messages, concurrency)]


def rerun_calls(server) -> tuple[int, int, int]:
    """Judge calls of a first run, a rerun of the same folder, and a run in another folder (shared cache)."""
    from click.testing import CliRunner

    from medgen_core.cli import cli

    folder = Path(tempfile.mkdtemp(prefix="medgen-bench-runs-"))
    os.environ.setdefault("TORCH_HOME", str(folder / "torch-home"))  # offline: LPIPS marked unavailable
    args = f"model={MODEL},api_base={server.url},api_key_env=MEDGEN_BENCH_KEY,concurrency=16"
    counts = []
    for name in ("first", "first", "second"):
        before = server.calls
        result = CliRunner().invoke(
            cli,
            ["run", "--tasks", "noise_reconstruction,multiple_choice", "--model", "classical", "--limit", "5"]
            + ["--metric_args", "bertscore:model=all-MiniLM-L6-v2", "--output_path", str(folder / name)]
            + ["--judge", "vlm", "--judge_args", args, "--quiet"],
        )
        if result.exit_code != 0:
            raise SystemExit(result.output)
        counts.append(server.calls - before)
    return counts[0], counts[1], counts[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=320)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds the server takes per call")
    parser.add_argument("--repeats", type=int, default=3, help="runs per layer; the median is printed")
    args = parser.parse_args()

    from medgen_judge.prompt import build_prompt
    from medgen_litellm.testing import ScriptedServer

    print(machine_line(), flush=True)
    ideal = args.concurrency / args.latency
    requests = judge_requests(args.calls)
    messages = [build_prompt(r, r.rubric, 1024).messages() for r in requests]
    with ScriptedServer(default=responder(), latency_s=args.latency) as server:
        print(
            f"judge throughput: loopback server {args.latency * 1000:.0f} ms/call, concurrency {args.concurrency}, "
            f"{args.calls} calls, median of {args.repeats} runs (ideal {ideal:.1f} calls/s)"
        )
        for label, run in LAYERS(server, requests, messages, args.concurrency):
            run(args.concurrency)  # warm-up, not timed: imports, event loop, connections
            timed(label, args.calls, ideal, run, args.repeats)
        first, again, other = rerun_calls(server)
        print(f"judge calls: first run {first}, rerun of the finished run {again} (goal 0), ", end="")
        print(f"same outputs in another run folder {other} (judge cache, goal 0)")


if __name__ == "__main__":
    main()
