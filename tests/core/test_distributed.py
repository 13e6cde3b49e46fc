"""Data-parallel runs: 2 CPU processes under torchrun (gloo) equal one process, and a killed rank resumes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from core_testkit import KIT_TASKS, TESTKIT

from medgen_core.testing.minidata import make_dataset

pytest.importorskip("accelerate", reason="data-parallel runs need medgen[distributed]")

ENV = {**os.environ, "PYTHONPATH": TESTKIT, "MEDGEN_LOAD_PLUGINS": "models,tasks,testkit", "OMP_NUM_THREADS": "1"}


def args(data: Path, run: Path, *more: str) -> list[str]:
    return ["run", "--tasks", "kit_all", "--include_path", KIT_TASKS, "--model", "counting", *more,
            "--data_root", str(data), "--output_path", str(run), "--quiet"]  # fmt: skip


def single(data: Path, run: Path, *more: str) -> None:
    out = subprocess.run([sys.executable, "-m", "medgen_core", *args(data, run, *more)], env=ENV, capture_output=True)
    assert out.returncode == 0, out.stderr.decode()


def launch(data: Path, run: Path, *more: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           "-m", "medgen_core", *args(data, run, *more)]  # fmt: skip
    return subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def finished(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()[-3000:]
    return out.decode()


def results(run: Path) -> dict:
    return json.loads((run / "results.json").read_text())


def sample_ids(run: Path) -> list[tuple[str, str]]:
    return sorted((s["task"], s["id"]) for s in map(json.loads, (run / "samples.jsonl").read_text().splitlines()))


def test_two_ranks_equal_one_process_and_a_killed_rank_resumes(tmp_path):
    import psutil

    data = make_dataset(tmp_path / "data", per_task=12)
    one, two, killed = tmp_path / "one", tmp_path / "two", tmp_path / "killed"
    single(data, one)
    output = finished(launch(data, two))
    assert "rank 1 of 2: share done" in output and f"results: {two / 'results.json'}" in output
    assert results(two)["results"] == results(one)["results"] and results(two)["groups"] == results(one)["groups"]
    assert sample_ids(two) == sample_ids(one) and len(sample_ids(one)) == 36
    assert (two / "predictions.rank1.jsonl").stat().st_size and (two / "predictions.jsonl").stat().st_size
    ours = [json.loads(line)["id"] for line in (two / "predictions.rank1.jsonl").read_text().splitlines()]
    assert len(ours) == 18  # every other sample of each task

    proc = launch(data, killed, "--model_args", "delay=0.2")
    rank1 = None
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        journal = killed / "predictions.rank1.jsonl"
        if journal.exists() and journal.read_bytes().count(b"\n") >= 3:
            for child in psutil.Process(proc.pid).children(recursive=True):
                if child.environ().get("RANK") == "1":
                    rank1 = child
            break
        time.sleep(0.05)
    assert rank1 is not None, "rank 1 never started answering"
    os.kill(rank1.pid, signal.SIGKILL)  # one rank dies mid-run; the launcher stops the other
    proc.communicate(timeout=300)
    assert proc.returncode != 0
    assert not (killed / "results.json").exists()
    answered = (killed / "predictions.rank1.jsonl").read_bytes().count(b"\n")
    assert 3 <= answered < 18  # killed part-way through its share
    finished(launch(data, killed, "--model_args", "delay=0.2"))  # the same launch resumes each rank's share
    assert results(killed)["results"] == results(one)["results"]
    assert sample_ids(killed) == sample_ids(one)
