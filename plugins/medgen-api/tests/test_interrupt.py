"""A run of the `api` model SIGKILLed at random moments, then rerun, ends exactly like an uninterrupted run,
and no sample's call is made twice beyond the batch in flight at each kill.

The server lives in this process and outlives every killed run, so it counts every call each run made.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from api_testkit import KEY_ENV
from medgen_litellm.testing import RecordedRequest, Reply, ScriptedServer, reply

from medgen_core.testing.minidata import make_dataset

CODE = "import sys; from medgen_core.cli import main; sys.argv[0] = 'medgen'; main()"
TASKS = str(Path(__file__).parent / "tasks")
BATCH = 4  # the model's batch: at most this many calls are in flight when a run is killed
SAMPLES = 24  # 12 question-answering + 12 multiple-choice records


def answer(request: RecordedRequest) -> Reply:
    """The same reply for the same prompt, whichever run asks: results can be compared exactly."""
    if not request.texts:  # a body cut short by a kill: never a complete call
        return Reply(status=400)
    case = int(re.search(r"case (\d+)", request.texts[-1]).group(1))
    return reply("B" if "multiple" in request.texts[-1] and case % 3 else f"answer {case} for question-answering")


def start(server: ScriptedServer, data: Path, run: Path) -> subprocess.Popen:
    args = f"model=openai/slow-vlm,api_base={server.url},api_key_env={KEY_ENV},concurrency={BATCH},batch_size={BATCH}"
    command = ["run", "--tasks", "api_qa,api_mc", "--include_path", TASKS, "--model", "api", "--model_args", args]
    command += ["--data_root", str(data), "--output_path", str(run), "--quiet"]
    env = {**os.environ, "MEDGEN_LOAD_PLUGINS": "models,tasks,api,text"}
    return subprocess.Popen(
        [sys.executable, "-c", CODE, *command], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def saved(run: Path) -> int:
    path = run / "predictions.jsonl"
    return path.read_bytes().count(b"\n") if path.exists() else 0


def finish(server: ScriptedServer, data: Path, run: Path) -> None:
    proc = start(server, data, run)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()


def calls_per_sample(server: ScriptedServer) -> Counter:
    """Complete calls per sample (a request a kill cut short mid-body is not one)."""
    asked = [r.texts[-1] for r in server.requests if r.texts]
    return Counter(re.search(r"Describe case \d+ of [a-z-]+", text).group(0) for text in asked)


def test_sigkill_then_resume_matches_uninterrupted(tmp_path):
    data = make_dataset(tmp_path / "data", per_task=12)
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    with ScriptedServer(default=answer, latency_s=0.25) as server:
        finish(server, data, clean)
        assert server.calls == SAMPLES
        server.reset()
        rng = random.Random(20261207)
        kills = 0
        for target in sorted(rng.sample(range(1, SAMPLES - 2), 4)):  # kill once this many answers are on disk
            proc = start(server, data, killed)
            deadline = time.monotonic() + 120
            while proc.poll() is None and saved(killed) < target and time.monotonic() < deadline:
                time.sleep(rng.uniform(0.001, 0.05))  # lands anywhere: mid-batch, mid-write, mid-scoring
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait(timeout=60)
        finish(server, data, killed)
        per_sample = calls_per_sample(server)
    assert kills == 4
    a = json.loads((clean / "results.json").read_text())
    b = json.loads((killed / "results.json").read_text())
    assert a["results"] == b["results"] and a["groups"] == b["groups"]
    assert a["results"]["api_mc"]["accuracy"]["mean"] == 8 / 12  # real values: cases 1, 2, 4, 5, ... answer B
    lines = [json.loads(line) for line in (killed / "samples.jsonl").read_text().splitlines()]
    assert len({(s["task"], s["id"]) for s in lines}) == len(lines) == SAMPLES
    assert len(per_sample) == SAMPLES  # every sample was asked
    repeated = sum(per_sample.values()) - SAMPLES
    assert repeated <= kills * BATCH  # only the batch in flight at each kill is asked again
    assert max(per_sample.values()) <= 1 + kills
