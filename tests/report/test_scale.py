"""A report of 5,000 samples stays under its size limit (its speed is measured in benchmarks/bench_report.py)."""

from __future__ import annotations

import json
import re

from medgen_core.report.output import write_report
from medgen_core.testing.synthetic_run import write_synthetic_run

SAMPLES = 5000
# 5,000 samples: ~12,500 thumbnails (inputs, outputs, references) of about 1.4 KB in base64, and every
# sample's instruction, answers, scores and a judge's verdicts in both modes with analysis and
# explanations (about 3.5 KB of text). Measured: 34.3 MB. The limit (8 KB a sample) leaves about 15%.
SIZE_LIMIT = 40_000_000
THUMBNAIL_LIMIT = 4_000  # bytes of one data URI: a full-size image would be ten times that


def test_a_report_of_5000_samples_stays_small(tmp_path):
    run_dir = write_synthetic_run(tmp_path / "run", SAMPLES, image_px=128)  # small images: cheaper to decode
    _, path = write_report(run_dir)
    size = path.stat().st_size
    assert size < SIZE_LIMIT, f"{size / 1e6:.1f} MB for {SAMPLES} samples"
    html = path.read_text()
    data = json.loads(re.search(r'id="gallery-data">(.*?)</script>', html, re.S).group(1))
    assert len(data["samples"]) == SAMPLES
    thumbnails = [t for t in data["images"] if t]
    assert len(thumbnails) == len(data["images"]) > 2 * SAMPLES  # every image has its thumbnail
    assert max(len(t) for t in thumbnails) < THUMBNAIL_LIMIT
