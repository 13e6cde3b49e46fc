"""The plugin host: loads built-in and installed plugins and collects what they register.

Installed plugins are found through the ``medgen`` entry-point group.
``MEDGEN_LOAD_PLUGINS=a,b`` loads only those (an empty value loads none, not
even the built-in ones). One rule holds for every kind of registration
(models, metrics, judges, task folders, commands, and hooks plugins add
themselves): each plugin's hook is called on its own, so a plugin that fails
to import or to register is recorded with its error and the others keep
working; a name registered by two plugins is a clash naming both, unless
overriding is allowed explicitly (``medgen --allow_override`` or
``MEDGEN_ALLOW_OVERRIDE=1``), in which case the plugin loaded last wins.
"""

from __future__ import annotations

import difflib
import importlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pluggy

from medgen_core import hookspecs
from medgen_core.errors import MedgenError, NameClash, UnknownName
from medgen_core.paths import as_folder
from medgen_core.types import CAPABILITIES, TIERS, JudgeInfo, MetricInfo, ModelInfo

BUILTIN_PLUGINS = {
    "models": "medgen_core.builtin.models",
    "tasks": "medgen_core.builtin.tasks",
    "renderers": "medgen_core.builtin.renderers",
}
OVERRIDE_ENV = "MEDGEN_ALLOW_OVERRIDE"


@dataclass
class PluginRecord:
    """What ``medgen ls plugins`` shows for one plugin."""

    name: str
    version: str
    hooks: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    builtin: bool = False

    @property
    def error(self) -> str | None:
        return "; ".join(self.errors) or None


def unknown_name(kind: str, name: str, known: list[str], broken: Sequence[PluginRecord] = ()) -> UnknownName:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    listing = ", ".join(sorted(known)) or "none installed"
    failed = "".join(f" Plugin {r.name!r} failed to load and may provide it: {r.error}." for r in broken)
    return UnknownName(f"unknown {kind} {name!r}.{hint} Known {kind}s: {listing}.{failed}")


@dataclass(frozen=True)
class Registered:
    """A registration of a hook that plugins added themselves (e.g. medgen-build's transforms)."""

    name: str
    value: Any
    plugin: str
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class Registry:
    """Everything registered through one hook: name -> info, plus the clashes found."""

    kind: str
    items: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    clashes: dict[str, str] = field(default_factory=dict)


def _allowed_plugins() -> set[str] | None:
    raw = os.environ.get("MEDGEN_LOAD_PLUGINS")
    if raw is None:
        return None
    return {p.strip() for p in raw.split(",") if p.strip()}


def override_allowed() -> bool:
    return os.environ.get(OVERRIDE_ENV, "").strip().lower() in ("1", "true", "yes")


class PluginHost:
    """One pluggy manager plus the registries filled from its hooks."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.records: dict[str, PluginRecord] = {}
        self._registries: dict[str, Registry] = {}
        self._load()
        self._add_plugin_hookspecs()

    # loading ------------------------------------------------------------------------
    def _load(self) -> None:
        allowed = _allowed_plugins()
        for name, modname in BUILTIN_PLUGINS.items():
            if allowed is None or name in allowed or modname in allowed:
                self._register(name, lambda m=modname: importlib.import_module(m), _core_version(), builtin=True)
        found = set(BUILTIN_PLUGINS) | set(BUILTIN_PLUGINS.values())
        for ep in _entry_points():
            found.add(ep.name)
            if allowed is not None and ep.name not in allowed:
                continue
            self._register(ep.name, ep.load, ep.dist.version if ep.dist else "?")
        for name in sorted((allowed or set()) - found):
            installed = ", ".join(sorted(ep.name for ep in _entry_points())) or "none"
            self.records[name] = PluginRecord(
                name, "?", errors=[f"named in MEDGEN_LOAD_PLUGINS but not installed (installed plugins: {installed})"]
            )

    def _register(self, name: str, load: Callable[[], Any], version: str, builtin: bool = False) -> None:
        record = self.records[name] = PluginRecord(name, version, builtin=builtin)
        try:
            module = load()
            self.pm.register(module, name=name)
        except Exception as exc:  # a broken plugin must not break the others
            record.errors.append(f"{type(exc).__name__}: {exc}")
            return
        record.hooks = sorted(h.name for h in self.pm.get_hookcallers(module) or [])

    def _add_plugin_hookspecs(self) -> None:
        """Hooks a plugin defines for plugins of its own (``medgen_add_hookspecs(register)``)."""
        for _, impl in self._each_impl("medgen_add_hookspecs"):
            self._call(impl, "medgen_add_hookspecs", register=self.pm.add_hookspecs)

    def register_plugin(self, module: Any, name: str, version: str = "0") -> None:
        """Register an in-process plugin object (tests and embedding code); registries are rebuilt."""
        self._register(name, lambda: module, version)
        self._registries.clear()

    # the one registry rule ------------------------------------------------------------
    def _each_impl(self, hook: str) -> Iterator[tuple[str, Any]]:
        caller = getattr(self.pm.hook, hook, None)
        if caller is None:
            return
        for impl in caller.get_hookimpls():  # in registration order: built-ins first
            yield self.pm.get_name(impl.plugin) or "?", impl

    def _call(self, impl: Any, hook: str, **kwargs: Any) -> Any:
        """Call one plugin's hook; its failure is recorded against it and the others go on."""
        plugin = self.pm.get_name(impl.plugin) or "?"
        try:
            return impl.function(**{arg: kwargs[arg] for arg in impl.argnames if arg in kwargs})
        except Exception as exc:
            record = self.records.setdefault(plugin, PluginRecord(plugin, "?"))
            record.errors.append(f"{hook}: {type(exc).__name__}: {exc}")
            return None

    def registry(self, hook: str, kind: str, make: Callable[..., Any] | None = None) -> Registry:
        """Everything plugins register through ``hook`` (register-callback style), built once.

        ``make(name, value, plugin=..., **info)`` validates one registration; by default it is
        kept as a :class:`Registered`.
        """
        if hook in self._registries:
            return self._registries[hook]
        known = next(((k, m) for h, k, m in _KINDS if h == hook), None)
        if known is not None:  # models, metrics, judges: always their own validation, whoever asks first
            kind, make = known
        registry = Registry(kind)
        build = make or (lambda name, value, plugin, **info: Registered(name, value, plugin, info))
        for plugin, impl in self._each_impl(hook):

            def register(name: str, value: Any, _plugin: str = plugin, **info: Any) -> None:
                item = build(name, value, plugin=_plugin, **info)
                before = registry.origins.get(name)
                if before is not None and before != _plugin and not override_allowed():
                    registry.clashes[name] = (
                        f"{kind} {name!r} is registered by plugin {before!r} and by plugin {_plugin!r}; uninstall "
                        f"one, or allow the later one ({_plugin!r}) to win with `medgen --allow_override` "
                        f"({OVERRIDE_ENV}=1)"
                    )
                registry.items[name] = item
                registry.origins[name] = _plugin

            self._call(impl, hook, register=register)
        self._registries[hook] = registry
        return registry

    def _lookup(self, hook: str, kind: str, make: Callable[..., Any], name: str) -> Any:
        registry = self.registry(hook, kind, make)
        if name in registry.clashes:
            raise NameClash(registry.clashes[name])
        if name not in registry.items:
            broken = [r for r in self.records.values() if r.errors]
            raise unknown_name(kind, name, list(registry.items), broken)
        return registry.items[name]

    @property
    def models(self) -> dict[str, ModelInfo]:
        return self.registry("medgen_register_models", "model", _model_info).items

    @property
    def metrics(self) -> dict[str, MetricInfo]:
        return self.registry("medgen_register_metrics", "metric", _metric_info).items

    @property
    def judges(self) -> dict[str, JudgeInfo]:
        return self.registry("medgen_register_judges", "judge", _judge_info).items

    def model(self, name: str) -> ModelInfo:
        """A model by name; names are case-insensitive, as task names are."""
        return self._lookup("medgen_register_models", "model", _model_info, _case(name, self.models))

    def metric(self, name: str) -> MetricInfo:
        return self._lookup("medgen_register_metrics", "metric", _metric_info, name)

    def judge(self, name: str) -> JudgeInfo:
        return self._lookup("medgen_register_judges", "judge", _judge_info, _case(name, self.judges))

    def clashes(self) -> list[str]:
        """Every name clash among the registries built so far, for ``medgen ls plugins``."""
        for hook, kind, make in _KINDS:
            self.registry(hook, kind, make)
        return [msg for reg in self._registries.values() for msg in reg.clashes.values()]

    # folders and commands ------------------------------------------------------------------
    def task_dirs(self) -> list[tuple[Path, str]]:
        """(folder, plugin) for every task folder plugins contribute, built-in first."""
        found: list[tuple[Path, str]] = []
        for plugin, impl in self._each_impl("medgen_task_dirs"):
            for folder in self._call(impl, "medgen_task_dirs") or []:
                found.append((as_folder(folder), plugin))  # a path, or a packaged folder (zipped too)
        return found

    def add_commands(self, cli: Any) -> None:
        """Let every plugin add its click commands; a command name taken twice is an error in its plugin."""
        for plugin, impl in self._each_impl("medgen_register_commands"):
            before = dict(cli.commands)
            self._call(impl, "medgen_register_commands", cli=cli)
            for name in set(before) & set(cli.commands):
                if cli.commands[name] is not before[name]:
                    cli.commands[name] = before[name]
                    self.records[plugin].errors.append(f"medgen_register_commands: command {name!r} already exists")

    def versions(self) -> dict[str, str]:
        return {name: rec.version for name, rec in sorted(self.records.items())}


def _case(name: str, known: dict[str, Any]) -> str:
    if name in known:
        return name
    folded = {k.lower(): k for k in known}
    return folded.get(name.lower(), name)


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


_KINDS = (
    ("medgen_register_models", "model", _model_info),
    ("medgen_register_metrics", "metric", _metric_info),
    ("medgen_register_judges", "judge", _judge_info),
)


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
