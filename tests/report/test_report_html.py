"""The HTML report's content, read without a browser: tables, plots, gallery data, links, problems."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

from medgen_core.report.thumbnails import CACHE_NAME, ThumbnailCache, thumbnail


def gallery(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="gallery-data">(.*?)</script>', html, re.S)
    assert found, "no gallery data"
    return json.loads(found.group(1))


def test_report_command_writes_one_self_contained_page(judged_run, medgen_cli):
    result = medgen_cli("report", judged_run)
    assert result.exit_code == 0, result.output
    path = judged_run / "report.html"
    assert result.output.strip() == f"report: {path}"
    html = path.read_text()
    assert 'http-equiv="Content-Security-Policy" content="default-src \'none\'' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing from a network
    assert "<link" not in html and not re.search(r"<script[^>]+src=", html)
    for section in ("headline", "per-task", "per-modality", "plots", "gallery", "problems", "judges", "configuration"):
        assert f'id="{section}"' in html
    headline = html[html.index('id="headline-table"') : html.index("</table>", html.index('id="headline-table"'))]
    assert [label in headline for label in ("VQA", "Image editing", "Multimodal generation")] == [True] * 3
    assert "holistic (panel, with reference)" in headline and "holistic (panel, without reference)" in headline
    assert "bertscore_f1[all-MiniLM-L6-v2@L6]" in headline and "ssim" in headline and "psnr" in headline
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="plot"') >= 9
    assert "stroke-dasharray" in html  # threshold lines
    assert "Krippendorff" in html and "fixed#" in html  # the judges' section
    assert "alexnet-owt-7be5be79.pth" in html  # why LPIPS is unavailable


def test_gallery_data_holds_every_sample_with_scores_verdicts_and_images(judged_run, medgen_cli):
    medgen_cli("report", judged_run)
    data = gallery((judged_run / "report.html").read_text())
    assert len(data["samples"]) == 32 and len(data["tasks"]) == 16
    edit = next(s for s in data["samples"] if s["t"] == "noise_reconstruction")
    assert edit["p"] and edit["in"] and edit["o"] and edit["g"]
    scored = {data["keys"][k]: (value, ok) for k, value, ok in edit["s"]}
    assert {"ssim", "psnr", "judge:panel[with_reference]"} <= set(scored)
    assert scored["judge:panel[with_reference]"] == (8.0, 1)
    problems = {data["keys"][k]: (data["reasons"][r], kind) for k, r, kind in edit["x"]}
    assert problems["lpips[alex]"][1] == "unavailable" and "unavailable" in edit["k"]
    # the sample passes when every metric that decides does: the panel stands for its two judges (one of
    # which gives 7, below the threshold) and the unavailable LPIPS decides nothing
    assert edit["ok"] == int(scored["ssim"][1] == 1 and scored["psnr"][1] == 1)
    verdicts = {(j[0], j[1]): j for j in edit["j"]}
    assert len(verdicts) == 4 and {v[2] for v in verdicts.values()} == {7.0, 9.0}
    dims = dict(next(iter(verdicts.values()))[3])
    assert {data["dimensions"][d] for d in dims} >= {"anatomical_accuracy", "instruction_compliance"}
    for index, href, ref in [*edit["in"], edit["o"], edit["g"]]:
        assert data["images"][index].startswith("data:image/jpeg;base64,")
        assert (judged_run / unquote(href)).resolve().is_file() and unquote(href).endswith(ref)


def test_links_are_relative_to_where_the_report_is_written(judged_run, medgen_cli, tmp_path):
    out = tmp_path / "elsewhere" / "r.html"
    assert medgen_cli("report", judged_run, "-o", out).exit_code == 0
    data = gallery(out.read_text())
    sample = next(s for s in data["samples"] if s.get("o"))
    output_link = unquote(sample["o"][1])
    assert not output_link.startswith(("/", "file:")) and (out.parent / output_link).resolve().is_file()
    assert (out.parent / unquote(sample["in"][0][1])).resolve().is_file()


def test_a_partial_run_is_reported_with_a_banner(judged_run, copy_run, medgen_cli):
    run_dir = copy_run(judged_run)
    (run_dir / "results.json").unlink()
    result = medgen_cli("report", run_dir)
    assert result.exit_code == 0, result.output
    html = (run_dir / "report.html").read_text()
    assert 'id="partial"' in html and "Partial results" in html and "not written yet" in html
    assert len(gallery(html)["samples"]) == 32


def test_a_sample_whose_prediction_failed_shows_why(kit_runs, medgen_cli):
    assert medgen_cli("report", kit_runs["flaky"]).exit_code == 0
    html = (kit_runs["flaky"] / "report.html").read_text()
    failed = next(s for s in gallery(html)["samples"] if s["id"] == "question-answering-001")
    assert "model crashed on question-answering-001" in failed["e"] and failed["k"] == ["prediction"]
    assert "Predictions that failed" in html and "model crashed on question-answering-001" in html


def test_text_from_models_cannot_break_out_of_the_page(judged_run, copy_run, medgen_cli):
    run_dir = copy_run(judged_run)
    path = run_dir / "samples.jsonl"
    lines = path.read_text().splitlines()
    first = json.loads(lines[0])
    first["prediction"]["text"] = "</script><script>alert(1)</script><!--"
    lines[0] = json.dumps(first)
    path.write_text("\n".join(lines) + "\n")
    medgen_cli("report", run_dir)
    html = (run_dir / "report.html").read_text()
    assert "<script>alert(1)" not in html and html.count("</script>") == 2
    assert gallery(html)["samples"][0]["a"] == first["prediction"]["text"]


def test_thumbnails_are_small_cached_and_missing_images_do_not_stop_the_report(judged_run, tmp_path):
    image = next(Path(judged_run, "images").rglob("*.png"))
    data = thumbnail(str(image))
    assert data is not None and data.startswith(b"\xff\xd8") and len(data) < 4000
    assert thumbnail(str(tmp_path / "missing.png")) is None
    (tmp_path / "broken.png").write_bytes(b"not an image")
    cache = ThumbnailCache(tmp_path / CACHE_NAME)
    got = cache.get_all([str(image), str(tmp_path / "broken.png"), str(tmp_path / "missing.png")])
    assert got[str(image)] == data and got[str(tmp_path / "broken.png")] is None and cache.made == 2
    cache.close()
    again = ThumbnailCache(tmp_path / CACHE_NAME)
    assert again.get_all([str(image)])[str(image)] == data and again.made == 0  # from the cache
    again.close()


def test_a_read_only_run_folder_is_reported_without_a_cache(tmp_path):
    cache = ThumbnailCache(tmp_path / "no-such-folder" / CACHE_NAME)
    assert cache.db is None and cache.get_all([]) == {}
