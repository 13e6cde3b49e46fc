"""Output formats of ``medgen report`` and ``medgen compare``: renderers registered through a hook.

In the spirit of datasette's ``register_output_renderer``: a plugin implements
``medgen_register_renderers(register)`` and calls
``register(name, renderer, extension="tex", description="...")``. ``renderer``
is any object with ``report(report: RunReport) -> str`` and/or
``comparison(comparison: Comparison) -> str``. The built-in html, md and
console renderers register the same way (medgen_core/builtin/renderers.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from medgen_core.errors import MedgenError, NameClash

HOOK = "medgen_register_renderers"
Kind = Literal["report", "comparison"]


@dataclass(frozen=True)
class RendererInfo:
    name: str
    renderer: Any
    extension: str
    description: str
    plugin: str

    def renders(self, kind: Kind) -> bool:
        return callable(getattr(self.renderer, kind, None))


def renderer_info(name: str, renderer: Any, plugin: str, extension: str, description: str = "") -> RendererInfo:
    """Check one registration: it renders something, and names the file extension it writes."""
    if not any(callable(getattr(renderer, kind, None)) for kind in ("report", "comparison")):
        raise MedgenError(f"renderer {name!r} from plugin {plugin!r} has neither a report() nor a comparison() method")
    if not isinstance(extension, str) or not extension.strip("."):
        raise MedgenError(f"renderer {name!r} from plugin {plugin!r}: extension must be a file extension like 'html'")
    return RendererInfo(name, renderer, extension.strip("."), description, plugin)


def renderers() -> dict[str, RendererInfo]:
    from medgen_core.plugins import get_host

    return get_host().registry(HOOK, "renderer", renderer_info).items


def get_renderer(name: str, kind: Kind) -> RendererInfo:
    """The renderer called ``name``, which must render ``kind``; clear errors otherwise."""
    from medgen_core.plugins import get_host, unknown_name

    host = get_host()
    registry = host.registry(HOOK, "renderer", renderer_info)
    if name in registry.clashes:
        raise NameClash(registry.clashes[name])
    able = sorted(n for n, info in registry.items.items() if info.renders(kind))
    if name not in registry.items:
        raise unknown_name("output format", name, able, [r for r in host.records.values() if r.errors])
    info = registry.items[name]
    if not info.renders(kind):
        raise MedgenError(
            f"output format {name!r} (plugin {info.plugin!r}) cannot render a {kind}; "
            f"formats that can: {', '.join(able)}"
        )
    return info
