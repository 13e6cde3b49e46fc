"""Harness overhead around a local model: ``medgen run --model hf`` against a bare transformers loop.

Both sides load the same tiny Qwen2-VL checkpoint (built here, offline) and
answer the same prompts with the same images, batch size and generation
settings (greedy, exactly ``--new_tokens`` tokens per answer); each runs in a
fresh process, alternating, ``--repeats`` times, and loads the checkpoint once
untimed first (lazy imports, file cache). The clock then times loading the
checkpoint and answering every sample; on the medgen side that is the whole
run: task selection, data loading, prompt rendering, the model plugin,
journals on disk. Goal: medgen's samples/s within 10% of the bare loop's.
A tiny model is the worst case for overhead: a real one spends far longer in
``generate``. Prints figures and the machine; asserts nothing.

    python benchmarks/bench_local.py [--samples 512] [--batch_size 8] [--new_tokens 16] [--repeats 5]
                                     [--device auto] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_harness import make_data  # the same synthetic official layout as the harness benchmark

TASK = "bench_local"
TASK_YAML = """task: bench_local
dataset_name: VQA/question-answering
output_type: text
doc_to_text: "{{ instruction }}"
generation_kwargs:
  max_new_tokens: %(tokens)d
  min_new_tokens: %(tokens)d
"""


def machine(threads: int) -> str:
    """CPU model, vector extensions, cores, torch threads and any GPU: what the figures depend on."""
    import torch

    cpu, flags = platform.processor() or "?", set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and cpu in ("?", "x86_64", ""):
                cpu = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    vector = ",".join(f for f in ("avx2", "avx512f", "avx512_bf16", "amx_bf16") if f in flags) or "none seen"
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    return (
        f"{cpu}; flags {vector}; {os.cpu_count()} cores; torch {torch.__version__} with "
        f"{threads} threads (of {torch.get_num_threads()}); GPU {gpu}; load average {os.getloadavg()[0]:.2f}"
    )


class Clock:
    """Wall time, and this process's CPU time: steadier than wall time when others share the CPUs."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> dict[str, float]:
        return {"seconds": time.perf_counter() - self.wall, "cpu_seconds": time.process_time() - self.cpu}


# --- the two sides, each in its own process ------------------------------------------------
def medgen_side(root: Path, tasks: Path, checkpoint: Path, out: Path, batch_size: int, device: str) -> dict:
    from medgen_hf.vlm import HFModel

    from medgen_core.plugins import get_host
    from medgen_core.run.runner import Runner, RunSettings
    from medgen_core.tasks.index import TaskIndex

    HFModel(pretrained=str(checkpoint), device=device).close()  # warm-up, as on the bare side

    args = {"pretrained": str(checkpoint), "batch_size": batch_size, "device": device}
    settings = RunSettings(
        TaskIndex([tasks]).select([TASK]), "hf", model_args=args, output_path=out, data_root=root, predict_only=True
    )
    host = get_host()
    clock = Clock()
    Runner(settings, host).run()
    texts = [json.loads(line)["text"] for line in (out / "predictions.jsonl").read_text().splitlines()]
    return {**clock.read(), "texts": texts}


def bare_side(root: Path, checkpoint: Path, batch_size: int, new_tokens: int, device: str) -> dict:
    """What a user would write with transformers alone: the same prompts, images and settings."""
    import torch
    from PIL import Image
    from transformers import AutoModelForImageTextToText, AutoProcessor

    folder = root / "VQA" / "question-answering"
    device = device if device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
    AutoProcessor.from_pretrained(checkpoint), AutoModelForImageTextToText.from_pretrained(checkpoint)  # warm-up
    clock = Clock()
    processor = AutoProcessor.from_pretrained(checkpoint)
    processor.tokenizer.padding_side = "left"
    model = AutoModelForImageTextToText.from_pretrained(checkpoint).to(device).eval()
    records = [json.loads(line) for line in (folder / "data.jsonl").read_text().splitlines()]
    texts = []
    for start in range(0, len(records), batch_size):
        batch = records[start : start + batch_size]
        images = [[Image.open(folder / p).convert("RGB") for p in r["input_image"]] for r in batch]
        prompts = [
            processor.apply_chat_template(
                [
                    {
                        "role": "user",
                        "content": [*({"type": "image"} for _ in imgs), {"type": "text", "text": r["instruction"]}],
                    }
                ],
                add_generation_prompt=True,
                tokenize=False,
            )
            for r, imgs in zip(batch, images, strict=True)
        ]
        inputs = processor(text=prompts, images=images, padding=True, return_tensors="pt").to(device)
        with torch.inference_mode():
            output = model.generate(
                **inputs, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False,
                pad_token_id=processor.tokenizer.pad_token_id,
            )  # fmt: skip
        new = output[:, inputs["input_ids"].shape[1] :]
        texts += [t.strip() for t in processor.batch_decode(new, skip_special_tokens=True)]
    return {**clock.read(), "texts": texts}


def child(argv: list[str]) -> None:
    import torch

    side, root, tasks, checkpoint, out, batch_size, new_tokens, device, threads = argv
    torch.set_num_threads(int(threads))
    if side == "medgen":
        result = medgen_side(Path(root), Path(tasks), Path(checkpoint), Path(out), int(batch_size), device)
    else:
        result = bare_side(Path(root), Path(checkpoint), int(batch_size), int(new_tokens), device)
    print(json.dumps(result))


# --- the parent: build, alternate, report ----------------------------------------------------
def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child(sys.argv[2:])
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=512)
    parser.add_argument("--batch_size", type=int, default=8)
    parser.add_argument("--new_tokens", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--device", default="auto")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads on each side (1: steadiest on shared CPUs)"
    )
    opts = parser.parse_args()
    from medgen_hf.testing.tiny import build_qwen2_vl

    env = {**os.environ, "MEDGEN_LOAD_PLUGINS": "hf"}
    print(f"machine: {machine(opts.threads)}")
    print(
        f"local model overhead: tiny Qwen2-VL, {opts.samples} samples, batch_size {opts.batch_size}, "
        f"{opts.new_tokens} new tokens each, device {opts.device}, best and median of {opts.repeats}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        checkpoint = build_qwen2_vl(base / "tiny-qwen2-vl")
        make_data(base / "data", 2 * opts.samples)  # n VQA (used) + n editing records
        (base / "tasks").mkdir()
        (base / "tasks" / "bench_local.yaml").write_text(TASK_YAML % {"tokens": opts.new_tokens})
        seconds: dict[str, dict[str, list[float]]] = {"bare": {}, "medgen": {}}
        texts: dict[str, list[str]] = {}
        for repeat in range(opts.repeats):
            for side in ("bare", "medgen"):
                out = base / f"run-{side}-{repeat}"
                argv = [side, base / "data", base / "tasks", checkpoint, out, opts.batch_size, opts.new_tokens]
                argv += [opts.device, opts.threads]
                command = [sys.executable, __file__, "--child", *(str(a) for a in argv)]
                done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
                result = json.loads(done.stdout.strip().splitlines()[-1])
                for clock in ("seconds", "cpu_seconds"):
                    seconds[side].setdefault(clock, []).append(result[clock])
                texts[side] = result["texts"]
    for clock, label in (("seconds", "wall"), ("cpu_seconds", "CPU")):
        best = {side: opts.samples / min(seconds[side][clock]) for side in seconds}
        for side in ("bare", "medgen"):
            runs = seconds[side][clock]
            print(
                f"  {label:>4} {side:>6}: best {best[side]:7.1f} samples/s, median "
                f"{opts.samples / statistics.median(runs):7.1f} ({', '.join(f'{s:.2f}' for s in runs)} s)"
            )
        print(f"  {label:>4} medgen / bare (best): {best['medgen'] / best['bare']:.3f} (goal >= 0.90)")
    print(f"  same answers on both sides: {texts['medgen'] == texts['bare']}")
    data_parallel(opts, env)


def data_parallel(opts: argparse.Namespace, env: dict[str, str]) -> None:
    """The whole ``medgen run`` (start-up included) in 1 process, then in 2 under torchrun, same data, 1 thread each."""
    from medgen_hf.testing.tiny import build_qwen2_vl

    samples = 8 * opts.samples  # enough work that start-up (imports, loading) is not all that is measured
    env = {**env, "MEDGEN_LOAD_PLUGINS": "models,tasks,hf", "OMP_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        checkpoint = build_qwen2_vl(base / "tiny-qwen2-vl")
        make_data(base / "data", 2 * samples)
        (base / "tasks").mkdir()
        task = base / "tasks" / "bench_local.yaml"
        task.write_text(TASK_YAML % {"tokens": opts.new_tokens})
        args = ["-m", "medgen_core", "run", "--tasks", str(task), "--data_root", str(base / "data"), "--model", "hf"]
        args += ["--model_args", f"pretrained={checkpoint},device=cpu", "--batch_size", str(opts.batch_size)]
        args += ["--predict_only", "--quiet"]
        launchers = {
            "1 process": [sys.executable],
            "2 processes (torchrun)": [
                sys.executable,
                "-m",
                "torch.distributed.run",
                "--standalone",
                "--nproc_per_node",
                "2",
            ],
        }
        walls = {}
        for label, launcher in launchers.items():
            started = time.perf_counter()
            subprocess.run([*launcher, *args, "--output_path", str(base / label.split()[0])], env=env, check=True,
                           capture_output=True)  # fmt: skip
            walls[label] = time.perf_counter() - started
            rate = samples / walls[label]
            print(f"  data-parallel, {samples} samples, {label}: {walls[label]:.1f} s wall ({rate:.1f} samples/s)")
    one, two = walls.values()
    print(f"  2-process speed-up over 1 process (whole runs, start-up included): {one / two:.2f}x")


if __name__ == "__main__":
    main()
