"""The hook specifications every medgen plugin implements (pluggy project ``medgen``).

Hooks follow the register-callback style of ``llm`` and ``datasette``: the core
hands each plugin a ``register`` function and the plugin calls it once per
thing it provides. Built-in models, tasks and renderers register through the same hooks.
"""

from __future__ import annotations

from typing import Any

import pluggy

PROJECT = "medgen"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def medgen_register_models(register: Any) -> None:
    """Register model backends: ``register(name, factory, capabilities=..., description=...)``.

    ``factory(**model_args)`` returns an object with ``predict(requests)``; see
    :class:`medgen_core.types.Model`.
    """


@hookspec
def medgen_register_metrics(register: Any) -> None:
    """Register scorers: ``register(name, factory, tier=..., higher_is_better=..., threshold=..., reads=...)``.

    ``factory(**metric_args)`` returns an object with ``key`` and ``score(items)``;
    see :class:`medgen_core.types.Metric`.
    """


@hookspec
def medgen_register_judges(register: Any) -> None:
    """Register judge backends: ``register(name, factory, description=...)``.

    ``factory(**judge_args)`` returns an object with ``judge(requests)``; see
    :class:`medgen_core.types.Judge`.
    """


@hookspec
def medgen_register_renderers(register: Any) -> None:
    """Register output formats for ``medgen report`` and ``medgen compare``:
    ``register(name, renderer, extension=..., description=...)``.

    ``renderer`` has ``report(report)`` and/or ``comparison(comparison)``, each returning the text to
    write (see :mod:`medgen_core.report.renderers` and docs/reports.md). html, md and console are
    registered this way.
    """


@hookspec
def medgen_task_dirs() -> list[str]:
    """Return folders of task YAML files this plugin contributes.

    Paths, or Traversables such as ``importlib.resources.files(__name__) / "tasks"``,
    which also work when the plugin is installed zipped (extracted once into a cache).
    """


@hookspec
def medgen_add_hookspecs(register: Any) -> None:
    """Add hook specifications of your own for other plugins to implement: ``register(module)``.

    medgen-build adds ``medgen_register_transforms`` this way; read what plugins
    register through it with :func:`medgen_core.registered`.
    """


@hookspec
def medgen_register_commands(cli: Any) -> None:
    """Add click commands to the ``medgen`` command group."""
