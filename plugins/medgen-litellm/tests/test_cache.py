"""The reply cache: where it lives, and several processes sharing one file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from medgen_litellm import ResponseCache, cache_key, default_cache_dir


def test_cache_dir_resolution(monkeypatch, tmp_path):
    monkeypatch.setenv("MEDGEN_CACHE_DIR", str(tmp_path / "explicit"))
    assert default_cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("MEDGEN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "medgen"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir() == Path.home() / ".cache" / "medgen"


def test_key_is_stable_and_order_free_for_mappings():
    assert cache_key("m", {"a": 1, "b": 2}) == cache_key("m", {"b": 2, "a": 1})
    assert cache_key("m", "prompt") != cache_key("m2", "prompt")


def test_processes_share_one_file(tmp_path):
    path = tmp_path / "shared.sqlite"
    writer = (
        "import sys; from medgen_litellm import ResponseCache\n"
        "c = ResponseCache(sys.argv[1])\n"
        "for i in range(200): c.put(f'{sys.argv[2]}-{i}', {'text': str(i)})\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", writer, str(path), name]) for name in ("a", "b", "c")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    cache = ResponseCache(path)
    assert len(cache) == 600 and cache.get("b-199") == {"text": "199"} and cache.get("d-0") is None
