"""The report in a real headless Chromium (Debian's chromium; `make test` installs it): it loads with no
console error and no request but the page itself, shows the headline table, and the gallery filters work.

Without Chromium these tests are skipped, unless MEDGEN_REQUIRE_BROWSER=1 (as `make test` sets) makes a
missing browser a failure.
"""

from __future__ import annotations

import json
import os

import pytest
from report.chromium import Chromium, find_chromium

EXECUTABLE = find_chromium()
if EXECUTABLE is None and os.environ.get("MEDGEN_REQUIRE_BROWSER") == "1":
    raise RuntimeError("MEDGEN_REQUIRE_BROWSER=1 but no chromium on PATH: run scripts/install-chromium.sh")
pytestmark = pytest.mark.skipif(EXECUTABLE is None, reason="no chromium (scripts/install-chromium.sh installs it)")


@pytest.fixture(scope="module")
def browser():
    chromium = Chromium(EXECUTABLE)
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def report_url(judged_run):
    from medgen_core.report.output import write_report

    _, path = write_report(judged_run)
    return path.as_uri()


def choose(browser, select_id: str, value: str) -> str:
    """Pick an option of a gallery filter as a user would; return the count line it leads to."""
    browser.evaluate(
        f"(() => {{ const s = document.getElementById({json.dumps(select_id)}); s.value = {json.dumps(value)};"
        " s.dispatchEvent(new Event('change')); })()"
    )
    return browser.evaluate("document.getElementById('count').textContent")


def gallery_data(browser) -> dict:
    return browser.evaluate("JSON.parse(document.getElementById('gallery-data').textContent)")


def cards(browser) -> list[dict]:
    return browser.evaluate(
        "[...document.querySelectorAll('#cards article')].map(a => ({id: a.dataset.id, cls: a.className,"
        " task: a.querySelector('header b').textContent, text: a.textContent,"
        " images: a.querySelectorAll('img').length}))"
    )


def test_the_report_loads_offline_without_errors(browser, report_url, screenshot_dir):
    browser.open(report_url)
    assert browser.errors() == []
    requests = browser.requests()
    assert [url for url in requests if not url.startswith("data:")] == [report_url]  # nothing else is fetched
    assert all(url.startswith("data:image/jpeg;base64,") for url in requests[1:]) and len(requests) > 32
    headline = browser.evaluate(
        "[...document.querySelectorAll('#headline-table tbody tr td.label')].map(td => td.textContent)"
    )
    assert headline == ["VQA", "Image editing", "Multimodal generation"]
    headers = browser.evaluate("[...document.querySelectorAll('#headline-table th')].map(th => th.textContent)")
    assert "holistic (panel, with reference)" in headers and "ssim" in headers
    assert browser.evaluate("document.querySelectorAll('svg.plot').length") >= 9
    assert browser.evaluate("document.getElementById('count').textContent") == (
        "showing 1–32 of 32 matching (32 samples in all)"
    )
    shown = cards(browser)
    assert len(shown) == 32
    edit = next(c for c in shown if c["task"] == "noise_reconstruction")
    assert edit["images"] == 3 and "model output" in edit["text"] and "reference" in edit["text"]
    loaded = browser.evaluate("[...document.querySelectorAll('#cards img')].every(i => i.complete && i.naturalWidth)")
    assert loaded, "a thumbnail did not decode"
    browser.screenshot(screenshot_dir / "report-top.png")


def test_gallery_filters_narrow_the_cards(browser, report_url, screenshot_dir):
    browser.open(report_url)
    assert choose(browser, "f-task", "style_transfer") == "showing 1–2 of 2 matching (32 samples in all)"
    assert {c["task"] for c in cards(browser)} == {"style_transfer"}
    choose(browser, "f-task", "")
    vqa_count = choose(browser, "f-failure", "none")
    assert vqa_count == "showing 1–8 of 8 matching (32 samples in all)"  # only VQA has no unavailable LPIPS
    assert all("lpips" not in c["text"] for c in cards(browser))
    choose(browser, "f-failure", "unavailable")
    assert len(cards(browser)) == 24 and all("metric unavailable" in c["text"] for c in cards(browser))
    choose(browser, "f-failure", "")
    choose(browser, "f-metric", str(gallery_data(browser)["keys"].index("judge:panel[with_reference]")))
    passing = choose(browser, "f-outcome", "pass")
    assert passing == "showing 1–32 of 32 matching (32 samples in all)"  # the panel's mean is 8: every sample passes
    assert choose(browser, "f-outcome", "fail") == "no sample matches"
    choose(browser, "f-metric", "")
    choose(browser, "f-outcome", "")
    modality = gallery_data(browser)["modalities"][0]
    count = choose(browser, "f-modality", modality)
    expected = sum(1 for s in gallery_data(browser)["samples"] if s["m"] == modality)
    assert count.startswith(f"showing 1–{expected} of {expected} matching")
    assert all(f" · {modality} " in c["text"] for c in cards(browser))
    browser.evaluate("document.getElementById('gallery').scrollIntoView()")
    browser.screenshot(screenshot_dir / "report-gallery.png")
    assert browser.errors() == []
