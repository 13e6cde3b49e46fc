"""A run killed with SIGKILL at any moment, then rerun, ends exactly like an uninterrupted run."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from core_testkit import KIT_TASKS, TESTKIT

from medgen_core.testing.minidata import make_dataset

CODE = "import sys; from medgen_core.cli import main; sys.argv[0] = 'medgen'; main()"


def start(data: Path, run: Path, calls: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": TESTKIT,
        "MEDGEN_LOAD_PLUGINS": "models,tasks,testkit",
        "MEDGEN_TEST_CALLS": str(calls),
    }
    args = [
        "run",
        "--tasks",
        "kit_all",
        "--include_path",
        KIT_TASKS,
        "--model",
        "slow",
        "--model_args",
        "delay=0.03",
        "--data_root",
        str(data),
        "--output_path",
        str(run),
        "--quiet",
    ]
    return subprocess.Popen(
        [sys.executable, "-c", CODE, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def saved(run: Path) -> int:
    path = run / "predictions.jsonl"
    return path.read_bytes().count(b"\n") if path.exists() else 0


def finish(data: Path, run: Path, calls: Path) -> None:
    proc = start(data, run, calls)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()


def test_sigkill_then_resume_matches_uninterrupted(tmp_path):
    data = make_dataset(tmp_path / "data", per_task=12)
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    finish(data, clean, tmp_path / "clean_calls")
    rng = random.Random(20261129)
    kills = 0
    for target in sorted(rng.sample(range(2, 34), 4)):  # kill once this many predictions are on disk
        proc = start(data, killed, tmp_path / "killed_calls")
        deadline = time.monotonic() + 120
        while proc.poll() is None and saved(killed) < target and time.monotonic() < deadline:
            time.sleep(rng.uniform(0.001, 0.02))  # lands anywhere: mid-write, mid-batch, mid-scoring
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
    finish(data, killed, tmp_path / "killed_calls")
    assert kills == 4
    a = json.loads((clean / "results.json").read_text())
    b = json.loads((killed / "results.json").read_text())
    assert a["results"] == b["results"] and a["groups"] == b["groups"]
    lines = [json.loads(line) for line in (killed / "samples.jsonl").read_text().splitlines()]
    keys = [(s["task"], s["id"]) for s in lines]
    assert len(keys) == len(set(keys)) == 36
    made = (tmp_path / "killed_calls").read_text().split()
    assert len(set(made)) == 36
    batch_size = 4  # the slow model's batch: at most the batch in flight at each kill is asked again
    assert len(made) <= 36 + kills * batch_size
