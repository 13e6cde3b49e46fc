"""The plugin host: loads built-in and installed plugins and collects what they register.

Installed plugins are found through the ``medgen`` entry-point group.
``MEDGEN_LOAD_PLUGINS=a,b`` loads only those (an empty value loads none, not
even the built-in ones). A plugin that fails to import or register is recorded
with its error and the others keep working.
"""

from __future__ import annotations

import difflib
import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

import pluggy

from medgen_core import hookspecs
from medgen_core.types import (
    CAPABILITIES,
    TIERS,
    JudgeInfo,
    MedgenError,
    MetricInfo,
    ModelInfo,
)

BUILTIN_PLUGINS = ("medgen_core.builtin.models", "medgen_core.builtin.tasks")


@dataclass
class PluginRecord:
    """What ``medgen ls plugins`` shows for one plugin."""

    name: str
    version: str
    hooks: list[str] = field(default_factory=list)
    error: str | None = None
    builtin: bool = False


class UnknownName(MedgenError):
    """A model, metric, judge or task name that nothing registered."""


def unknown_name(kind: str, name: str, known: list[str]) -> UnknownName:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    listing = ", ".join(sorted(known)) or "none installed"
    return UnknownName(f"unknown {kind} {name!r}.{hint} Known {kind}s: {listing}.")


def _allowed_plugins() -> set[str] | None:
    raw = os.environ.get("MEDGEN_LOAD_PLUGINS")
    if raw is None:
        return None
    return {p.strip() for p in raw.split(",") if p.strip()}


class PluginHost:
    """One pluggy manager plus the registries filled from its hooks."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.records: dict[str, PluginRecord] = {}
        self._load()

    def _load(self) -> None:
        allowed = _allowed_plugins()
        for modname in BUILTIN_PLUGINS:
            if allowed is None or modname in allowed or modname.rsplit(".", 1)[-1] in allowed:
                self._register_module(modname, modname, _core_version(), builtin=True)
        for ep in _entry_points():
            if allowed is not None and ep.name not in allowed:
                continue
            dist = ep.dist
            version = dist.version if dist else "?"
            try:
                module = ep.load()
            except Exception as exc:  # a broken plugin must not break the others
                self.records[ep.name] = PluginRecord(ep.name, version, error=f"{type(exc).__name__}: {exc}")
                continue
            self._register_object(ep.name, module, version)

    def _register_module(self, name: str, modname: str, version: str, builtin: bool) -> None:
        try:
            module = importlib.import_module(modname)
        except Exception as exc:
            self.records[name] = PluginRecord(name, version, error=f"{type(exc).__name__}: {exc}", builtin=builtin)
            return
        self._register_object(name, module, version, builtin)

    def _register_object(self, name: str, module: Any, version: str, builtin: bool = False) -> None:
        try:
            self.pm.register(module, name=name)
        except Exception as exc:
            self.records[name] = PluginRecord(name, version, error=f"{type(exc).__name__}: {exc}", builtin=builtin)
            return
        hooks = sorted(h.name for h in self.pm.get_hookcallers(module) or [])
        self.records[name] = PluginRecord(name, version, hooks, builtin=builtin)

    def register_plugin(self, module: Any, name: str, version: str = "0") -> None:
        """Register an in-process plugin object (used by tests and embedding code)."""
        self._register_object(name, module, version)
        for attr in ("models", "metrics", "judges", "transforms", "task_dirs"):
            self.__dict__.pop(attr, None)

    def _collect(self, hook: str, make: Callable[..., Any]) -> dict[str, Any]:
        """Call ``hook`` on each plugin separately so one failure names its plugin."""
        found: dict[str, Any] = {}
        caller = getattr(self.pm.hook, hook)
        for impl in caller.get_hookimpls():
            plugin_name = self.pm.get_name(impl.plugin) or "?"

            def register(name: str, factory: Any, _plugin: str = plugin_name, **info: Any) -> None:
                found[name] = make(name, factory, plugin=_plugin, **info)

            try:
                impl.function(**{arg: register for arg in impl.argnames})
            except Exception as exc:
                record = self.records.setdefault(plugin_name, PluginRecord(plugin_name, "?"))
                record.error = f"{hook}: {type(exc).__name__}: {exc}"
        return found

    @cached_property
    def models(self) -> dict[str, ModelInfo]:
        return self._collect("medgen_register_models", _model_info)

    @cached_property
    def metrics(self) -> dict[str, MetricInfo]:
        return self._collect("medgen_register_metrics", _metric_info)

    @cached_property
    def judges(self) -> dict[str, JudgeInfo]:
        return self._collect("medgen_register_judges", _judge_info)

    @cached_property
    def transforms(self) -> dict[str, dict[str, Any]]:
        return self._collect(
            "medgen_register_transforms", lambda name, fn, plugin, **info: {"fn": fn, "plugin": plugin, **info}
        )

    @cached_property
    def task_dirs(self) -> list[Path]:
        dirs: list[Path] = []
        for result in self.pm.hook.medgen_task_dirs():
            dirs.extend(Path(d) for d in (result or []))
        return dirs

    def model(self, name: str) -> ModelInfo:
        if name not in self.models:
            raise unknown_name("model", name, list(self.models))
        return self.models[name]

    def metric(self, name: str) -> MetricInfo:
        if name not in self.metrics:
            raise unknown_name("metric", name, list(self.metrics))
        return self.metrics[name]

    def judge(self, name: str) -> JudgeInfo:
        if name not in self.judges:
            raise unknown_name("judge", name, list(self.judges))
        return self.judges[name]

    def versions(self) -> dict[str, str]:
        return {name: rec.version for name, rec in sorted(self.records.items())}


def _model_info(name: str, factory: Any, plugin: str, capabilities: Any = (), description: str = "") -> ModelInfo:
    caps = frozenset(capabilities)
    bad = caps - set(CAPABILITIES)
    if bad:
        raise MedgenError(
            f"model {name!r} from plugin {plugin!r}: unknown capabilities {sorted(bad)}; use {CAPABILITIES}"
        )
    return ModelInfo(name, factory, caps, description, plugin)


def _metric_info(
    name: str,
    factory: Any,
    plugin: str,
    tier: str,
    higher_is_better: bool,
    reads: str,
    threshold: float | None = None,
    description: str = "",
) -> MetricInfo:
    if tier not in TIERS:
        raise MedgenError(f"metric {name!r} from plugin {plugin!r}: tier must be one of {TIERS}, not {tier!r}")
    if reads not in ("text", "image"):
        raise MedgenError(f"metric {name!r} from plugin {plugin!r}: reads must be 'text' or 'image', not {reads!r}")
    return MetricInfo(name, factory, tier, higher_is_better, threshold, reads, description, plugin)  # type: ignore[arg-type]


def _judge_info(name: str, factory: Any, plugin: str, description: str = "") -> JudgeInfo:
    return JudgeInfo(name, factory, description, plugin)


def _entry_points() -> list[metadata.EntryPoint]:
    return sorted(metadata.entry_points(group=hookspecs.PROJECT), key=lambda ep: ep.name)


def _core_version() -> str:
    from medgen_core import __version__

    return __version__


_HOST: PluginHost | None = None


def get_host() -> PluginHost:
    """The process-wide plugin host, built on first use."""
    global _HOST
    if _HOST is None:
        _HOST = PluginHost()
    return _HOST


def reset_host() -> None:
    """Forget the plugin host so the next :func:`get_host` reloads (tests, env changes)."""
    global _HOST
    _HOST = None
