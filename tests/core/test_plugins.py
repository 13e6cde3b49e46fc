"""The plugin host: entry points, MEDGEN_LOAD_PLUGINS, broken plugins, light imports, the example plugin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from core_testkit import TESTKIT

REPO = Path(__file__).resolve().parents[2]
HEAVY = ["torch", "transformers", "diffusers", "lpips", "bert_score", "litellm", "skimage", "scipy", "datasets"]
HEAVY += ["sklearn", "pandas", "pingouin", "statsmodels"]  # the judge plugin's: at first judgement/calibrate


def medgen(*args: str, env_extra: dict | None = None, pythonpath: list[str] = ()) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env_extra or {})}
    env["PYTHONPATH"] = os.pathsep.join([*pythonpath, env.get("PYTHONPATH", "")])
    code = "import sys; from medgen_core.cli import main; sys.argv[0] = 'medgen'; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=300)


def test_import_is_light():
    code = (
        "import sys, json, medgen_core, medgen_core.cli, medgen_core.run.runner\n"
        "from medgen_core.plugins import get_host\n"
        "h = get_host(); h.models; h.metrics; h.judges; h.task_dirs(); h.registry('medgen_register_transforms', 't')\n"
        "from medgen_core.cli import _add_plugin_commands; _add_plugin_commands()\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
        "print(json.dumps({n: r.error for n, r in h.records.items()}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    heavy, errors = (json.loads(line) for line in out.stdout.splitlines()[-2:])
    assert heavy == []
    assert all(e is None for e in errors.values()), errors
    assert {"pixel", "text", "classical", "judge", "hf", "diffusers", "api"} <= set(errors)  # all installed, loaded


def test_load_plugins_env(monkeypatch, testkit):
    from medgen_core.plugins import get_host, reset_host

    monkeypatch.setenv("MEDGEN_LOAD_PLUGINS", "")
    assert get_host().models == {} and get_host().records == {}
    reset_host()
    monkeypatch.setenv("MEDGEN_LOAD_PLUGINS", "testkit")
    host = get_host()
    assert set(host.records) == {"testkit"}
    assert "counting" in host.models and "oracle" not in host.models
    reset_host()
    monkeypatch.setenv("MEDGEN_LOAD_PLUGINS", "models,testkit")
    assert {"oracle", "identity", "counting"} <= set(get_host().models)


def test_broken_plugin_reported_others_work(tmp_path, minidata_root):
    dist = tmp_path / "medgen_broken-1.2.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: medgen-broken\nVersion: 1.2\n")
    (dist / "entry_points.txt").write_text("[medgen]\nbroken = medgen_broken\n")
    (tmp_path / "medgen_broken.py").write_text("import a_module_that_is_not_installed\n")
    path = [str(tmp_path), TESTKIT]
    listing = medgen("ls", "plugins", pythonpath=path)
    assert listing.returncode == 0, listing.stderr
    row = next(line for line in listing.stdout.splitlines() if "broken" in line)
    assert "1.2" in row and "ModuleNotFoundError" in row and "a_module_that_is_not_installed" in row
    assert any("testkit" in line and "medgen_register_models" in line for line in listing.stdout.splitlines())
    run = medgen(
        "run",
        "--tasks",
        "kit_vqa",
        "--include_path",
        str(Path(TESTKIT) / "tasks"),
        "--model",
        "counting",
        "--data_root",
        str(minidata_root),
        "--output_path",
        str(tmp_path / "run"),
        "--quiet",
        pythonpath=path,
        env_extra={"MEDGEN_LOAD_PLUGINS": "models,tasks,testkit,broken"},
    )
    assert run.returncode == 0, run.stderr
    assert json.loads((tmp_path / "run" / "results.json").read_text())["results"]["kit_vqa"]["length_ratio"]["n"] == 3


@pytest.fixture(scope="module")
def hello_installed(tmp_path_factory):
    """pip-install the example plugin package (examples/medgen-hello) into a private folder."""
    target = tmp_path_factory.mktemp("site")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "--target",
            str(target),
            str(REPO / "examples" / "medgen-hello"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return str(target)


def test_example_plugin_through_entry_point(hello_installed, minidata_root, tmp_path):
    listing = medgen("ls", "plugins", pythonpath=[hello_installed])
    row = next(line for line in listing.stdout.splitlines() if line.split("│")[1:2] and "hello" in line)
    assert "0.2.0" in row and "installed" in row
    for hook in ("medgen_register_models", "medgen_register_metrics", "medgen_register_judges", "medgen_task_dirs"):
        assert hook in listing.stdout
    models = medgen("ls", "models", pythonpath=[hello_installed])
    assert "echo" in models.stdout
    run_dir = tmp_path / "run"
    run = medgen(
        "run",
        "--tasks",
        "hello_qa",
        "--model",
        "echo",
        "--judge",
        "keyword",
        "--data_root",
        str(minidata_root),
        "--output_path",
        str(run_dir),
        pythonpath=[hello_installed],
    )
    assert run.returncode == 0, run.stderr
    results = json.loads((run_dir / "results.json").read_text())
    overlap = results["results"]["hello_qa"]["word_overlap"]
    # minidata: "Describe case i of question-answering." vs "answer i for question-answering": 3 shared of 8 words
    assert overlap["n"] == 3 and overlap["n_failed"] == 0
    assert overlap["mean"] == pytest.approx(3 / 8)
    assert results["results"]["hello_qa"]["judge:keyword[with_reference]"]["mean"] == pytest.approx(1 + 9 * 3 / 5)
    assert results["config"]["plugins"]["hello"] == "0.2.0"
    assert "medgen results" in run.stdout and "word_overlap" in run.stdout  # the summary table


def test_plugin_commands_join_the_cli():
    out = medgen("--help")
    assert out.returncode == 0
    assert "build" in out.stdout.split("Commands:")[1]  # medgen-build adds it through medgen_register_commands
    for command in ("run", "score", "ls", "validate", "compare"):
        assert command in out.stdout


def test_compare_side_by_side(cli_run, testkit, minidata_root, tmp_path):
    for model in ("oracle", "identity"):
        args = ["run", "--tasks", "kit_edit", "--include_path", testkit, "--data_root", minidata_root]
        assert cli_run(*args, "--output_path", tmp_path / model, "--model", model, "--quiet").exit_code == 0
    res = cli_run("compare", tmp_path / "oracle", tmp_path / "identity", "--format", "md")
    assert res.exit_code == 0
    lines = res.output.splitlines()
    assert lines[0] == "| task | metric | oracle | identity |"
    row = next(line for line in lines if line.startswith("| kit_edit | mean_intensity_gap"))
    assert row.split(" | ")[2] == "0 (100%)"


class _Twin:
    """An in-process plugin that registers a model, a metric and a judge under names the test kit uses."""

    @staticmethod
    def medgen_register_models(register):
        register("counting", object, capabilities=("text_out",))

    @staticmethod
    def medgen_register_judges(register):
        raise RuntimeError("judge table corrupt")


def _host_with(plugin, name, monkeypatch, testkit):
    from medgen_core import hookimpl
    from medgen_core.plugins import get_host

    monkeypatch.setenv("MEDGEN_LOAD_PLUGINS", "models,tasks,testkit")
    for hook in ("medgen_register_models", "medgen_register_judges"):
        if hasattr(plugin, hook):
            setattr(plugin, hook, hookimpl(getattr(plugin, hook)))
    host = get_host()
    host.register_plugin(plugin, name)
    return host


def test_name_clash_names_both_plugins_unless_override(monkeypatch, testkit):
    from medgen_core import NameClash

    host = _host_with(type("Twin", (_Twin,), {}), "twin", monkeypatch, testkit)
    with pytest.raises(NameClash, match="model 'counting' is registered by plugin 'testkit' and by plugin 'twin'"):
        host.model("counting")
    assert host.model("oracle").plugin == "models"  # other names unaffected
    assert any("counting" in c for c in host.clashes())
    from medgen_core.plugins import reset_host

    reset_host()
    monkeypatch.setenv("MEDGEN_ALLOW_OVERRIDE", "1")
    host = _host_with(type("Twin", (_Twin,), {}), "twin", monkeypatch, testkit)
    assert host.model("counting").plugin == "twin"  # loaded last, allowed to win


def test_failing_hook_isolated_and_named(monkeypatch, testkit):
    from medgen_core import UnknownName

    host = _host_with(type("Twin", (_Twin,), {}), "twin", monkeypatch, testkit)
    assert "fixed" in host.judges  # the test kit's judge still registers
    assert "medgen_register_judges: RuntimeError: judge table corrupt" in host.records["twin"].error
    with pytest.raises(UnknownName, match="Plugin 'twin' failed to load and may provide it: .*judge table corrupt"):
        host.judge("vlm")


def test_unknown_plugin_in_load_list_reported(monkeypatch, testkit):
    from medgen_core.plugins import get_host

    monkeypatch.setenv("MEDGEN_LOAD_PLUGINS", "models,testkti")
    record = get_host().records["testkti"]
    assert "named in MEDGEN_LOAD_PLUGINS but not installed" in record.error and "testkit" in record.error


def test_model_names_are_case_insensitive(monkeypatch, testkit):
    from medgen_core.plugins import get_host

    monkeypatch.setenv("MEDGEN_LOAD_PLUGINS", "models,testkit")
    assert get_host().model("Oracle").name == "oracle" and get_host().model("COUNTING").name == "counting"


def test_task_yaml_clash_and_include_by_name(tmp_path, cli_run, testkit, minidata_root):
    from medgen_core import NameClash
    from medgen_core.paths import builtin_task_dir
    from medgen_core.tasks.index import TaskIndex

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "medgen.yaml").write_text("include: task:multiple_choice\ntask: medgen\naliases: []\n")
    index = TaskIndex([(builtin_task_dir(), "plugin 'tasks'"), (mine, "--include_path mine")])
    with pytest.raises(NameClash) as info:
        index.canonical("medgen")
    assert "plugin 'tasks'" in str(info.value) and "--include_path mine" in str(info.value)
    (mine / "medgen.yaml").write_text("include: task:multi-choice\ntask: my_mc\nmetadata: {version: 2}\n")
    index = TaskIndex([(mine, "--include_path mine"), (builtin_task_dir(), "plugin 'tasks'")])  # defined later
    spec, _ = index.tasks["my_mc"]
    assert spec.dataset_name == "VQA/multiple-choice" and "Options:" in spec.doc_to_text and not spec.aliases
    (mine / "medgen.yaml").write_text("include: task:no_such_task\ntask: my_mc\n")
    index = TaskIndex([(mine, "--include_path mine")])
    assert any("no task named 'no_such_task' is installed" in e for e in index.errors)
    res = cli_run("--allow_override", "ls", "tasks", "--include_path", str(mine))
    assert res.exit_code == 0
