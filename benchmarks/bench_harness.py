"""Harness overhead per sample and peak memory, identity model, no scorers.

Goal: under 2 ms per sample, and peak memory flat as the number of samples grows
(samples stream from disk; nothing holds the dataset). Each size runs in a fresh
process so its peak memory is its own. Prints figures; asserts nothing.

    python benchmarks/bench_harness.py [--sizes 1000,4000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from machine import machine_line

CHILD = r"""
import json, resource, sys, time, tracemalloc
from pathlib import Path
from medgen_core.plugins import get_host
from medgen_core.run.config import RunSettings
from medgen_core.run.runner import Runner
from medgen_core.tasks.index import TaskIndex

root, tasks, out, traced = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4] == "trace"
host = get_host()
selection = TaskIndex([tasks]).select(["bench_edit", "bench_vqa"])
settings = RunSettings(selection, "identity", output_path=out, data_root=root)
if traced:  # tracemalloc slows every allocation: memory is measured in a run of its own, never timed
    tracemalloc.start()
t0 = time.perf_counter()
Runner(settings, host).run()
elapsed = time.perf_counter() - t0
peak = tracemalloc.get_traced_memory()[1] if traced else 0
status = Path("/proc/self/status").read_text() if Path("/proc/self/status").exists() else ""
hwm = [int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")]
rss = hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "py_peak_mb": peak / 2**20, "rss_mb": rss}))
"""

CHECK = r"""
import json, sys, time
from pathlib import Path
from medgen_core.data.samples import iter_samples
from medgen_core.run.predict import input_problem
from medgen_core.tasks.index import TaskIndex

root, tasks = Path(sys.argv[1]), Path(sys.argv[2])
index = TaskIndex([tasks])
samples = []
for name in ("bench_edit", "bench_vqa"):
    samples += list(iter_samples(root, index.select([name]).tasks[0]))
t0 = time.perf_counter()
bad = sum(input_problem(s) is not None for s in samples)
elapsed = time.perf_counter() - t0
images = sum(len(s.input_images) + (s.reference_image is not None) for s in samples)
print(json.dumps({"seconds": elapsed, "samples": len(samples), "images": images, "bad": bad}))
"""

TASKS = {
    "bench_edit.yaml": "task: bench_edit\ndataset_name: ImageEditing/noise-reconstruction\noutput_type: image\n",
    "bench_vqa.yaml": "task: bench_vqa\ndataset_name: VQA/question-answering\noutput_type: text\n",
}


def make_data(root: Path, n: int) -> None:
    """n/2 editing and n/2 VQA records, each with its own 64x64 PNG input."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    for folder, category in (("ImageEditing/noise-reconstruction", "ImageEdit"), ("VQA/question-answering", "VQA")):
        base = root / folder
        (base / "images").mkdir(parents=True)
        with (base / "data.jsonl").open("w") as handle:
            for i in range(n // 2):
                Image.fromarray(rng.integers(0, 255, (64, 64), dtype=np.uint8)).save(base / "images" / f"{i}.png")
                rec = {
                    "id": f"r{i}",
                    "category": category,
                    "modality": "CT",
                    "instruction": f"Case {i}: denoise.",
                    "answer": f"answer {i}",
                    "input_image": [f"images/{i}.png"],
                    "ground_truth_image": [f"images/{i}.png"] if category != "VQA" else [],
                }
                handle.write(json.dumps(rec) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,4000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    env = {**os.environ, "MEDGEN_LOAD_PLUGINS": "models"}
    print(machine_line())
    print("harness overhead: identity model, no scorers, one process per size")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tasks = Path(tmp) / "tasks"
        tasks.mkdir()
        for name, text in TASKS.items():
            (tasks / name).write_text(text)
        for n in sizes:
            root = Path(tmp) / f"data{n}"
            make_data(root, n)
            for attempt, folder, mode in (
                ("fresh", "run", "time"),
                ("resumed", "run", "time"),
                ("fresh", "mem", "trace"),
            ):
                out = subprocess.run(
                    [sys.executable, "-c", CHILD, str(root), str(tasks), str(Path(tmp) / f"{folder}{n}"), mode],
                    capture_output=True,
                    text=True,
                    env=env,
                    check=True,
                )
                stats = json.loads(out.stdout.strip().splitlines()[-1])
                if mode == "trace":
                    rows.append((n, attempt, stats))
                    print(
                        f"  {n:>6} samples {'memory':>8}: python peak {stats['py_peak_mb']:7.2f} MB  "
                        f"process peak RSS {stats['rss_mb']:7.1f} MB (a fresh run under tracemalloc, not timed)"
                    )
                else:
                    print(f"  {n:>6} samples {attempt:>8}: {1000 * stats['seconds'] / n:6.3f} ms/sample")
            if n == sizes[0]:
                out = subprocess.run(
                    [sys.executable, "-c", CHECK, str(root), str(tasks)], capture_output=True, text=True, check=True
                )
                check = json.loads(out.stdout.strip().splitlines()[-1])
                print(
                    f"  image check before the model (decode, pixel limit; kept for later stages): "
                    f"{1000 * check['seconds'] / check['samples']:.3f} ms/sample "
                    f"({check['images']} 64x64 PNGs over {check['samples']} samples, {check['bad']} bad); "
                    "included in the run figures above"
                )
    small = next(s for n, a, s in rows if n == sizes[0] and a == "fresh")
    large = next(s for n, a, s in rows if n == sizes[-1] and a == "fresh")
    ratio = sizes[-1] / sizes[0]
    print(
        f"samples x{ratio:.0f}: python peak x{large['py_peak_mb'] / small['py_peak_mb']:.2f}, "
        f"max RSS x{large['rss_mb'] / small['rss_mb']:.2f}"
    )


if __name__ == "__main__":
    main()
