"""Report generation time and page size against the number of samples (1k, 5k, 20k by default).

Goal: both grow linearly or better, and a report of 5,000 samples is written in under 10 s. Each size is a
synthetic finished run (medgen_core.testing.synthetic_run: the bundled sample's 256 px images hard-linked
under new names, so every sample decodes its own images; one judge in both modes with analyses). Each
report runs in a fresh process, twice: "cold" makes every thumbnail (the run folder's thumbnail cache is
empty), "warm" finds them in the cache, as a second report of a run does. Prints figures; asserts nothing.

    python benchmarks/bench_report.py [--sizes 1000,5000,20000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
import medgen_core.report.thumbnails as thumbnails
from medgen_core.report.html import HtmlRenderer
from medgen_core.report.view import RunReport
from medgen_core.results import load_run
spent = {"thumbnails": 0.0, "made": 0}
get_all = thumbnails.ThumbnailCache.get_all
def timed(self, paths, workers=None):
    start = time.perf_counter()
    found = get_all(self, paths, workers)
    spent["thumbnails"] += time.perf_counter() - start
    spent["made"] += self.made
    return found
thumbnails.ThumbnailCache.get_all = timed
from medgen_core.report.output import no_gc_pauses  # as `medgen report` builds a page
run_dir = Path(sys.argv[1]); out = run_dir / "report.html"
t1 = time.perf_counter()
with no_gc_pauses():
    run = load_run(run_dir)
    t2 = time.perf_counter()
    report = RunReport(run, out)
    report.headline, report.per_task, report.per_modality, report.problems
    t3 = time.perf_counter()
    out.write_text(HtmlRenderer().report(report), encoding="utf-8")
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "tables": t3 - t2, "page": t4 - t3 - spent["thumbnails"],
                  **spent, "total": t4 - t0, "bytes": out.stat().st_size}))
"""


def machine() -> str:
    model, flags = platform.processor() or "?", set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    simd = ",".join(f for f in ("avx2", "avx512f") if f in flags) or "no avx2"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{model} ({simd}), {os.cpu_count()} cores, thumbnail workers {os.cpu_count()}, "
        f"load average {load:.2f}, Python {platform.python_version()}"
    )


def report_once(run_dir: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(run_dir)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,5000,20000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    from medgen_core.testing.synthetic_run import write_synthetic_run

    print(f"machine: {machine()}")
    print("report generation, synthetic finished runs, one fresh process per report (seconds): total = import +")
    print("load (results, samples) + tables (headline, per task, per modality) + thumbs (made or cached) + page")
    header = f"{'samples':>8} {'pass':>5} {'total':>7} {'thumbs':>7} {'made':>6} {'page':>7} {'load':>6}"
    print(header + f" {'tables':>7} {'ms/sample':>10} {'page MB':>8} {'KB/sample':>10} {'load avg':>8}")
    results: dict[tuple[int, str], dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            run_dir = write_synthetic_run(Path(tmp) / f"run{n}", n)
            for attempt in ("cold", "warm"):
                r = results[(n, attempt)] = report_once(run_dir)
                print(
                    f"{n:>8} {attempt:>5} {r['total']:>7.2f} {r['thumbnails']:>7.2f} {r['made']:>6} {r['page']:>7.2f}"
                    f" {r['load']:>6.2f} {r['tables']:>7.2f} {1000 * r['total'] / n:>10.2f} {r['bytes'] / 1e6:>8.1f}"
                    f" {r['bytes'] / n / 1e3:>10.2f} {os.getloadavg()[0]:>8.2f}"
                )
    first, last = sizes[0], sizes[-1]
    for attempt in ("cold", "warm"):
        a, b = results[(first, attempt)], results[(last, attempt)]
        print(
            f"{attempt}: samples x{last / first:.0f} -> time x{b['total'] / a['total']:.2f}, "
            f"page size x{b['bytes'] / a['bytes']:.2f}"
        )


if __name__ == "__main__":
    main()
