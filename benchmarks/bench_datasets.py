"""Peak memory of a task over a streamed dataset, at several sizes (goal: flat as the dataset grows).

A text task over Parquet files with one embedded 64x64 PNG per record, and the
same records as JSON lines with image files, read through ``datasets``
(streaming, the default). Two measures: the loader alone (every sample built
and its images hashed, then dropped) and a whole run with the identity model,
no scorers (the runner's own per-sample state included). Each size and measure
runs in a fresh process, and reads its own peak (VmHWM: ``ru_maxrss`` would
include the parent's, which holds the data being written). Prints figures and
the machine; asserts nothing.

    python benchmarks/bench_datasets.py [--sizes 1000,5000,20000]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from machine import machine_line

CHILD = r"""
import json, sys, time
from pathlib import Path
from medgen_core.data.samples import iter_samples
from medgen_core.plugins import get_host
from medgen_core.run.config import RunSettings
from medgen_core.run.runner import Runner
from medgen_core.tasks.index import TaskIndex

mode, yaml, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
selection = TaskIndex([]).select([yaml])
t0 = time.perf_counter()
if mode == "loader":  # every sample built, its images hashed, then dropped
    samples = sum(1 for _ in iter_samples(Path("."), selection.tasks[0]))
else:
    settings = RunSettings(selection, "identity", output_path=out, data_root=Path("."))
    results = Runner(settings, get_host()).run()
    samples = sum(n["total"] for n in results["n_samples"].values())
elapsed = time.perf_counter() - t0
# VmHWM, not ru_maxrss: on Linux the latter keeps the parent's peak across fork + exec
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
rss_mb = int(status["VmHWM"].split()[0]) / 1024
print(json.dumps({"seconds": elapsed, "samples": samples, "rss_mb": rss_mb}))
"""

TASK = """task: bench_{form}
output_type: text
dataset_path: {loader}
dataset_kwargs:
  data_files: {{test: {files}}}
doc_to_id: uid
doc_to_text: "{{{{ question }}}}"
doc_to_image: scan
doc_to_target: answer
"""


def png(seed: int) -> bytes:
    import numpy as np
    from PIL import Image

    pixels = np.random.default_rng(seed).integers(0, 255, (64, 64), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def make_data(folder: Path, n: int) -> dict[str, Path]:
    """n records as Parquet (images embedded, written in slices) and as JSON lines + image files."""
    import datasets

    folder.mkdir(parents=True)
    (folder / "img").mkdir()
    features = datasets.Features(
        {
            "uid": datasets.Value("string"),
            "question": datasets.Value("string"),
            "answer": datasets.Value("string"),
            "scan": datasets.Image(),
        }
    )
    images = [png(i % 500) for i in range(500)]  # 500 distinct images, reused: the data size is what matters
    with (folder / "records.jsonl").open("w") as handle:
        for start in range(0, n, 5000):
            rows = {"uid": [], "question": [], "answer": [], "scan": []}
            for i in range(start, min(n, start + 5000)):
                (folder / "img" / f"{i}.png").write_bytes(images[i % 500])
                rec = {"uid": f"r{i}", "question": f"What is shown in case {i}?", "answer": f"finding {i}"}
                handle.write(json.dumps({**rec, "scan": f"img/{i}.png"}) + "\n")
                for key, value in rec.items():
                    rows[key].append(value)
                rows["scan"].append({"bytes": images[i % 500], "path": None})
            dataset = datasets.Dataset.from_dict(rows, features=features)
            dataset.to_parquet(str(folder / f"part-{start // 5000:03d}.parquet"))
    yamls = {}
    for form, loader, files in (("parquet", "parquet", "part-*.parquet"), ("jsonl", "json", "records.jsonl")):
        yamls[form] = folder / f"{form}.yaml"
        yamls[form].write_text(TASK.format(form=form, loader=loader, files=files))
    return yamls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,5000,20000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    env = {**os.environ, "MEDGEN_LOAD_PLUGINS": "models", "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    print(f"streamed dataset task, one process per size and measure\n{machine_line()}", flush=True)
    rows: dict[tuple[str, str], dict[int, dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            yamls = make_data(Path(tmp) / f"data{n}", n)
            for mode in ("loader", "run"):
                for form, yaml in yamls.items():
                    out = subprocess.run(
                        [sys.executable, "-c", CHILD, mode, str(yaml), str(Path(tmp) / f"run-{form}-{n}")],
                        capture_output=True,
                        text=True,
                        env=env,
                        check=True,
                    )
                    stats = json.loads(out.stdout.strip().splitlines()[-1])
                    assert stats["samples"] == n, stats
                    rows.setdefault((mode, form), {})[n] = stats
                    print(
                        f"  {mode:>6} {form:>7} {n:>6} records: {1000 * stats['seconds'] / n:6.3f} ms/record  "
                        f"process max RSS {stats['rss_mb']:7.1f} MB",
                        flush=True,
                    )
    small, large = sizes[0], sizes[-1]
    for (mode, form), by_size in rows.items():
        a, b = by_size[small], by_size[large]
        print(
            f"{mode} {form}: records x{large / small:.0f}: max RSS {a['rss_mb']:.0f} -> {b['rss_mb']:.0f} MB "
            f"(x{b['rss_mb'] / a['rss_mb']:.2f})"
        )


if __name__ == "__main__":
    main()
