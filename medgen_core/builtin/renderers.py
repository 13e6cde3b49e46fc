"""The built-in output formats (html, md, console), registered through the same hook as a plugin's."""

from __future__ import annotations

from medgen_core.hookspecs import hookimpl


class _Lazy:
    """Imports its renderer at first use, so loading plugins stays cheap."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def _target(self):
        import importlib

        return getattr(importlib.import_module(self.module), self.name)()

    def report(self, report):
        return self._target().report(report)

    def comparison(self, comparison):
        return self._target().comparison(comparison)


@hookimpl
def medgen_register_renderers(register) -> None:
    register(
        "html",
        _Lazy("medgen_core.report.html", "HtmlRenderer"),
        extension="html",
        description="One self-contained page: tables, plots, gallery (opens without a network).",
    )
    register(
        "md",
        _Lazy("medgen_core.report.markdown", "MarkdownRenderer"),
        extension="md",
        description="Markdown tables for papers and READMEs.",
    )
    register(
        "console",
        _Lazy("medgen_core.report.terminal", "ConsoleRenderer"),
        extension="txt",
        description="The terminal's tables, as plain text.",
    )
