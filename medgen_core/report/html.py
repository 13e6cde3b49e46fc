"""The HTML renderer: one self-contained page per report or comparison.

Everything is inline (CSS, script, SVG plots, thumbnails as data URIs) and the
page's Content-Security-Policy forbids loading anything else, so it opens
without a network. Full-size images are links, relative to the page.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from medgen_core.report import numbers
from medgen_core.report.compare import Comparison, side_by_side_cell
from medgen_core.report.figures import figures
from medgen_core.report.gallery import gallery_data
from medgen_core.report.thumbnails import CACHE_NAME, ThumbnailCache
from medgen_core.report.view import RunReport
from medgen_core.results import MetricSummary

ASSETS = Path(__file__).parent / "assets"


class HtmlRenderer:
    def report(self, report: RunReport) -> str:
        run = report.run
        cache = ThumbnailCache(run.folder / CACHE_NAME)
        try:
            gallery = gallery_data(run, report.output, cache)
        finally:
            cache.close()
        judges = judge_tables(run.results.holistic)
        return (
            _env()
            .get_template("report.html.j2")
            .render(
                title=f"medgen report: {run.results.model_name}",
                css=_asset("report.css"),
                js=_asset("gallery.js"),
                report=report,
                run=run,
                results=run.results,
                config=run.results.config,
                figures=figures(report),
                gallery_json=script_json(gallery),
                usage_columns=sorted({k for totals in run.results.usage.values() for k in totals}),
                **judges,
            )
        )

    def comparison(self, comparison: Comparison) -> str:
        return (
            _env()
            .get_template("compare.html.j2")
            .render(
                title="medgen compare: " + " vs ".join(comparison.labels),
                css=_asset("report.css"),
                c=comparison,
                side_cell=side_by_side_cell,
            )
        )


def script_json(data: Any) -> str:
    """JSON that is safe inside a <script> element: no '<' can close it or open a comment."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def cell_title(summary: MetricSummary) -> str:
    text = f"n={summary.n}, failed {summary.n_failed}, not done {summary.n_not_done}"
    if summary.threshold is not None:
        text += f", passes {'≥' if summary.higher_is_better else '≤'} {numbers.number(summary.threshold)}"
    return text


def judge_tables(holistic: dict[str, Any]) -> dict[str, Any]:
    """results.json's ``holistic`` section as rows: each judge's dimension means, and the panel's alpha."""
    judge_rows, agreement_rows, dimensions, agreement_dims = [], [], set(), set()
    for task, entry in holistic.items():
        if not isinstance(entry, dict):
            continue
        for judge, modes in (entry.get("judges") or {}).items():
            for mode, summary in (modes or {}).items():
                dims = {
                    d: f"{numbers.number(s.get('mean'))} {numbers.interval(s.get('ci_low'), s.get('ci_high'))}"
                    for d, s in (summary.get("dimensions") or {}).items()
                }
                dimensions.update(dims)
                judge_rows.append(
                    {"task": task, "judge": judge, "mode": mode, "n": summary.get("n_judged"), "dims": dims}
                )
        for mode, agreement in (entry.get("agreement") or {}).items():
            values = {
                d: f"{numbers.number(a.get('alpha'))} (n={a.get('n_samples')})"
                for d, a in agreement.items()
                if isinstance(a, dict)
            }
            agreement_dims.update(values)
            agreement_rows.append({"task": task, "mode": mode, "alphas": values})
    return {
        "judge_rows": judge_rows,
        "agreement_rows": agreement_rows,
        "dimensions": sorted(dimensions),
        "agreement_dims": sorted(agreement_dims),
    }


@cache
def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(ASSETS),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(
        number=numbers.number,
        percent=numbers.percent,
        interval=numbers.interval,
        signed=numbers.signed,
        signed_points=numbers.signed_points,
        interval_points=numbers.interval_points,
        p_value=numbers.p_value,
        cell_title=cell_title,
    )
    return env
