"""Run folders for the report tests, made once per session by the real ``medgen run``.

- ``judged_run``: the bundled sample (2 records per task, 32 samples), the classical baseline, pixel and
  text metrics (LPIPS unavailable: no AlexNet here) and a panel of two test judges in both modes.
- ``kit_runs``: the test kit on the miniature dataset: ``clean`` (every sample answered), ``flaky``
  (the model fails on one sample), ``short`` (--limit 2), ``changed`` (one record's text differs) and
  ``ct`` (the group kit_ct, whose modality filter narrows its tasks: results name them ``task[modality=ct]``).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from medgen_core.testing import fresh_plugin_host, make_dataset  # noqa: F401

TESTKIT = Path(__file__).resolve().parents[1] / "testkit"
KIT_TASKS = TESTKIT / "tasks"


@pytest.fixture(scope="session")
def _kit_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(TESTKIT))
        mp.setenv("TORCH_HOME", str(tmp_path_factory.mktemp("torch-home")))  # no AlexNet: LPIPS unavailable
        importlib.invalidate_caches()
        yield mp


def medgen(*args: object) -> str:
    """Run the CLI in-process on a fresh plugin host; fail the test with its output if it fails."""
    from medgen_core.cli import cli
    from medgen_core.plugins import reset_host

    reset_host()
    try:
        result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    finally:
        reset_host()
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="session")
def judged_run(_kit_env: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("runs") / "judged"
    medgen(
        "run", "--tasks", "medgen", "--model", "classical", "--limit", 2, "--output_path", folder, "--quiet",
        "--metric_args", "bertscore:model=all-MiniLM-L6-v2",
        "--judge", "fixed", "--judge_args", "score=9", "--judge", "fixed", "--judge_args", "score=7",
    )  # fmt: skip
    return folder


@pytest.fixture(scope="session")
def kit_runs(_kit_env: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    data = make_dataset(tmp_path_factory.mktemp("minidata"))
    changed = make_dataset(tmp_path_factory.mktemp("minidata-changed"))
    qa = changed / "VQA" / "question-answering" / "data.jsonl"
    qa.write_text(qa.read_text().replace("Describe case 0 of", "Describe the first case of"))
    folder = tmp_path_factory.mktemp("kit-runs")
    base = ("--include_path", KIT_TASKS, "--quiet")
    _kit_env.setenv("MEDGEN_LOAD_PLUGINS", "models,tasks,renderers,testkit")
    runs = {
        "clean": ("--tasks", "kit_all", "--model", "counting", "--data_root", data),
        "flaky": ("--tasks", "kit_all", "--model", "counting", "--model_args", "fail=question-answering-001")
        + ("--data_root", data),
        "short": ("--tasks", "kit_all", "--model", "counting", "--limit", 2, "--data_root", data),
        "changed": ("--tasks", "kit_all", "--model", "counting", "--data_root", changed),
        "ct": ("--tasks", "kit_ct", "--model", "counting", "--data_root", data),
    }
    try:
        for name, args in runs.items():
            medgen("run", *base, *args, "--output_path", folder / name)
    finally:
        _kit_env.delenv("MEDGEN_LOAD_PLUGINS")
    return {name: folder / name for name in runs}


@pytest.fixture
def copy_run(tmp_path: Path):
    """A copy of a run folder that a test may change (times kept, so results.json stays up to date)."""
    import shutil

    def copy(folder: Path) -> Path:
        target = tmp_path / folder.name
        shutil.copytree(folder, target, copy_function=shutil.copy2, ignore=shutil.ignore_patterns(".lock"))
        return target

    return copy


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where browser tests save screenshots: $MEDGEN_SCREENSHOTS when set (to look at them), else a tmp folder."""
    wanted = os.environ.get("MEDGEN_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
