"""The core and a plugin built as users get them (sdist, then wheel) and used installed, in a folder and zipped.

Nothing here imports from the checkout: the packages are installed with
``pip install --target`` into a temporary folder (or that folder zipped) and
run with ``python -m medgen_core`` from another temporary folder. No network:
the build uses this environment's setuptools and pip never reaches an index.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from medgen_core.paths import as_folder

REPO = Path(__file__).resolve().parents[2]
CORE_TREE = ["pyproject.toml", "README.md", "LICENSE", "medgen_core", "task_yaml", "sample_benchmark"]
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
ONLY_HELLO = {"MEDGEN_LOAD_PLUGINS": "models,tasks,hello"}  # ignore the checkout's editable plugins


def run(args: list[str], cwd: Path, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MEDGEN_DATA_ROOT")}
    env.update(env_extra or {})
    out = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, f"{args}\n{out.stdout}\n{out.stderr}"
    return out


def build_wheel(source: Path, names: list[str], work: Path) -> Path:
    """Copy the package's files, build its sdist, then its wheel from that sdist (what `python -m build` does)."""
    tree = work / "tree"
    tree.mkdir()
    for name in names:
        if (source / name).is_dir():
            shutil.copytree(source / name, tree / name, ignore=JUNK)
        else:
            shutil.copy2(source / name, tree / name)
    dist = work / "dist"
    code = f"from setuptools import build_meta; print(build_meta.build_sdist({str(dist)!r}))"
    sdist = dist / run([sys.executable, "-c", code], cwd=tree).stdout.strip().splitlines()[-1]
    pip = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index"]
    run([*pip, "-w", str(dist), str(sdist)], cwd=work)
    (wheel,) = dist.glob("*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> dict[str, Path]:
    core = build_wheel(REPO, CORE_TREE, tmp_path_factory.mktemp("core"))
    hello_tree = ["pyproject.toml", "README.md", "LICENSE", "medgen_hello"]
    hello = build_wheel(REPO / "examples" / "medgen-hello", hello_tree, tmp_path_factory.mktemp("hello"))
    return {"core": core, "hello": hello}


@pytest.fixture(scope="module")
def site(wheels, tmp_path_factory) -> Path:
    """Both wheels installed into a plain folder (what a venv's site-packages holds)."""
    target = tmp_path_factory.mktemp("site")
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(target)]
    run([*pip, str(wheels["core"]), str(wheels["hello"])], cwd=target)
    return target


@pytest.fixture(scope="module")
def site_zip(site, tmp_path_factory) -> Path:
    """The same installed packages as one zip archive on sys.path (a zipped, not zip-safe-checked install)."""
    archive = tmp_path_factory.mktemp("zipped") / "site.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(site.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, path.relative_to(site).as_posix())
    return archive


def medgen_from(sys_path_entry: Path, cwd: Path, *args: str, cache: Path | None = None) -> str:
    env = {"PYTHONPATH": str(sys_path_entry), **ONLY_HELLO}
    if cache:
        env["MEDGEN_CACHE"] = str(cache)
    return run([sys.executable, "-m", "medgen_core", *args], cwd=cwd, env_extra=env).stdout


def imported_from(sys_path_entry: Path, cwd: Path) -> str:
    code = "import medgen_core.paths as p, medgen_hello as h; print(p.__file__); print(h.__file__)"
    return run([sys.executable, "-c", code], cwd=cwd, env_extra={"PYTHONPATH": str(sys_path_entry)}).stdout


def test_wheel_holds_every_core_file(wheels):
    names = set(zipfile.ZipFile(wheels["core"]).namelist())
    expected = {f"medgen_core/{p.relative_to(REPO / 'medgen_core').as_posix()}" for p in _files(REPO / "medgen_core")}
    for folder in ("task_yaml", "sample_benchmark"):
        expected |= {f"medgen_core/{folder}/{p.relative_to(REPO / folder).as_posix()}" for p in _files(REPO / folder)}
    assert expected - names == set()
    assert "medgen-0.1.0.dist-info/licenses/LICENSE" in names
    assert "medgen_hello/tasks/hello_qa.yaml" in zipfile.ZipFile(wheels["hello"]).namelist()


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]


def test_installed_folder_lists_and_runs(site, tmp_path):
    assert all(line.startswith(str(site)) for line in imported_from(site, tmp_path).splitlines())
    tasks = medgen_from(site, tmp_path, "ls", "tasks")
    for name in ("multiple_choice", "ct_lesion_edit", "reconstruction_2d_to_3d", "hello_qa", "medgen_vqa"):
        assert name in tasks
    _check_hello_run(site, tmp_path)


def test_zipped_install_lists_and_runs(site_zip, tmp_path):
    assert all(line.startswith(f"{site_zip}{os.sep}") for line in imported_from(site_zip, tmp_path).splitlines())
    cache = tmp_path / "cache"
    tasks = medgen_from(site_zip, tmp_path, "ls", "tasks", cache=cache)
    assert "hello_qa" in tasks and "multiple_choice" in tasks
    extracted = sorted(p.name.rsplit("-", 1)[0] for p in (cache / "packaged").iterdir())
    assert extracted == ["sample_benchmark", "task_yaml", "tasks"]  # the hello plugin's folder is called tasks
    _check_hello_run(site_zip, tmp_path, cache)
    assert len(list((cache / "packaged").iterdir())) == 3  # a second process reuses the extracted folders


def _check_hello_run(sys_path_entry: Path, cwd: Path, cache: Path | None = None) -> None:
    """The plugin's task on the bundled sample, both read from the install."""
    out = cwd / "run"
    args = ("run", "--tasks", "hello_qa", "--model", "echo", "--limit", "3", "--output_path", str(out), "--quiet")
    medgen_from(sys_path_entry, cwd, *args, cache=cache)
    result = json.loads((out / "results.json").read_text())["results"]["hello_qa"]["word_overlap"]
    assert result["n"] == 3 and result["n_failed"] == 0
    shutil.rmtree(out)


def test_extracted_folder_follows_the_archive_content(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDGEN_CACHE", str(tmp_path / "cache"))
    folders = []
    for version, text in enumerate(["task: a\n", "task: b\n"]):
        archive = tmp_path / f"pkg{version}.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("pkg/tasks/sub/a.yaml", text)
        folder = as_folder(zipfile.Path(archive, "pkg/tasks/"))
        assert (folder / "sub" / "a.yaml").read_text() == text
        folders.append(folder)
    assert folders[0] != folders[1]
    assert as_folder(str(tmp_path)) == tmp_path  # a plain path is used in place
