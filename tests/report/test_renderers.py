"""Renderers are a hook: the built-in html, md and console register like a plugin's, and a plugin adds LaTeX."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from medgen_core import hookimpl
from medgen_core.errors import MedgenError, NameClash
from medgen_core.plugins import get_host
from medgen_core.report.renderers import get_renderer, renderers


class Latex:
    """What a paper-writing plugin would ship: the headline table and the paired differences as LaTeX."""

    def report(self, report):
        table = report.headline
        lines = [r"\begin{tabular}{l" + "r" * len(table.columns) + "}"]
        lines.append(" & ".join(["format", *(k.key for k in table.columns)]) + r" \\")
        for row in table.rows:
            cells = [row.label] + [
                f"{100 * row.cells[k.key].pass_rate:.1f}"
                if k.key in row.cells and row.cells[k.key].pass_rate is not None
                else "--"
                for k in table.columns
            ]
            lines.append(" & ".join(cells) + r" \\")
        return "\n".join([*lines, r"\end{tabular}", ""])

    def comparison(self, comparison):
        rows = [f"{m.task} & {m.key} & {m.difference:+.3f} \\\\" for p in comparison.pairings for m in p.metrics]
        return "\n".join([r"\begin{tabular}{llr}", *rows, r"\end{tabular}", ""])


@hookimpl
def medgen_register_renderers(register):
    register("latex", Latex(), extension="tex", description="LaTeX tables for papers")


latex_plugin = SimpleNamespace(medgen_register_renderers=medgen_register_renderers)


@pytest.fixture
def latex():
    get_host().register_plugin(latex_plugin, "latex-tables")


def test_the_builtin_formats_register_through_the_hook():
    found = renderers()
    assert {"html", "md", "console"} <= set(found)
    assert found["html"].plugin == "renderers" and found["html"].extension == "html"
    assert "medgen_register_renderers" in get_host().records["renderers"].hooks


def test_a_plugin_adds_latex_to_report_and_compare(latex, judged_run, kit_runs, medgen_cli, tmp_path):
    assert get_renderer("latex", "report").plugin == "latex-tables"
    out = medgen_cli("report", judged_run, "--format", "latex", "-o", tmp_path / "headline.tex")
    assert out.exit_code == 0, out.output
    tex = (tmp_path / "headline.tex").read_text()
    assert tex.startswith(r"\begin{tabular}") and r"Image editing & 100.0 & 100.0" in tex
    assert f"report: {tmp_path / 'headline.tex'}" in out.output
    default = medgen_cli("report", judged_run, "--format", "latex")
    assert (judged_run / "report.tex").read_text() == tex and "report.tex" in default.output
    (judged_run / "report.tex").unlink()
    paired = medgen_cli("compare", kit_runs["clean"], kit_runs["flaky"], "--format", "latex")
    assert paired.exit_code == 0 and r"kit_vqa & length_ratio & +0.000 \\" in paired.output


def test_an_unknown_format_names_the_ones_there_are(judged_run, medgen_cli):
    result = medgen_cli("report", judged_run, "--format", "latx")
    assert result.exit_code == 2
    assert "unknown output format 'latx'" in result.output and "console, html, md" in result.output
    assert "Traceback" not in result.output


def test_a_renderer_must_render_something_and_name_its_extension():
    class Nothing:
        pass

    @hookimpl
    def medgen_register_renderers(register):
        register("nothing", Nothing(), extension="txt")
        register("noext", Latex(), extension="")

    get_host().register_plugin(SimpleNamespace(medgen_register_renderers=medgen_register_renderers), "broken")
    assert "nothing" not in renderers()
    assert "neither a report() nor a comparison()" in get_host().records["broken"].error


def test_a_format_that_cannot_render_a_report_says_which_can():
    class OnlyComparisons:
        def comparison(self, comparison):
            return ""

    @hookimpl
    def medgen_register_renderers(register):
        register("pairs", OnlyComparisons(), extension="txt")

    get_host().register_plugin(SimpleNamespace(medgen_register_renderers=medgen_register_renderers), "pairs")
    assert get_renderer("pairs", "comparison").name == "pairs"
    with pytest.raises(MedgenError, match="cannot render a report; formats that can: console, html, md"):
        get_renderer("pairs", "report")


def test_a_second_html_renderer_is_a_clash_naming_both(monkeypatch):
    monkeypatch.delenv("MEDGEN_ALLOW_OVERRIDE", raising=False)  # `medgen --allow_override` in-process sets it

    @hookimpl
    def medgen_register_renderers(register):
        register("html", Latex(), extension="html")

    get_host().register_plugin(SimpleNamespace(medgen_register_renderers=medgen_register_renderers), "impostor")
    with pytest.raises(NameClash, match="'renderers' and by plugin 'impostor'"):
        get_renderer("html", "report")


def test_markdown_and_console_show_the_same_numbers(judged_run, medgen_cli):
    md = medgen_cli("report", judged_run, "--format", "md", "-o", "-").output
    assert "## Headline, per format" in md and "| Image editing |" in md
    assert "holistic (panel, with reference)" in md and "100.0%" in md
    assert "`lpips[alex]` unavailable in" in md
    console = medgen_cli("report", judged_run, "--format", "console").output
    assert "medgen results" in console and "judge:panel[with_reference]" in console
    compared = medgen_cli("compare", judged_run, judged_run, "--format", "md").output
    assert compared.startswith("| task | metric | classical (judged) | classical (judged) |")
    assert "**classical (judged) vs classical (judged): 32 shared samples" in compared
