"""medgen compare: pairs by task and id on shared data, paired statistics, failures counted, Holm across tasks."""

from __future__ import annotations

import pytest

from medgen_core.report.compare import compare
from medgen_core.report.stats import holm, paired_interval, wilcoxon_p
from medgen_core.results import load_run


def test_holm_adjusts_step_down_and_keeps_order():
    assert holm([0.01, 0.04, 0.03, None]) == pytest.approx([0.03, 0.06, 0.06, None])
    assert holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])
    assert holm([]) == []


def test_wilcoxon_matches_scipy_and_handles_no_difference():
    from scipy.stats import wilcoxon

    differences = [0.5, -0.2, 1.1, 0.9, 0.3, -0.1, 0.7]
    assert wilcoxon_p(differences) == pytest.approx(wilcoxon(differences).pvalue)
    assert wilcoxon_p([0.0, 0.0, 0.0]) == 1.0
    assert wilcoxon_p([]) is None


def test_paired_interval_brackets_the_mean_difference():
    low, high = paired_interval([1.0, 2.0, 3.0, 4.0], seed=1)
    assert low < 2.5 < high and 1.0 <= low and high <= 4.0
    assert paired_interval([0.25] * 5, seed=1) == pytest.approx((0.25, 0.25))
    assert paired_interval([], seed=1) == (None, None)


def _row(pairing, task, key):
    return next(m for m in pairing.metrics if (m.task, m.key) == (task, key))


def test_a_sample_failed_in_one_run_is_counted_not_dropped(kit_runs):
    comparison = compare([load_run(kit_runs["clean"]), load_run(kit_runs["flaky"])])
    pairing = comparison.pairings[0]
    assert pairing.shared == 9 and pairing.only_a == pairing.only_b == pairing.different_data == 0
    row = _row(pairing, "kit_vqa", "length_ratio")
    assert (row.n_pairs, row.n_both, row.failed_only_a, row.failed_only_b) == (3, 2, 0, 1)
    assert row.difference == 0.0 and row.p == 1.0  # the same answers on the two pairs scored in both
    assert row.pass_a == pytest.approx(1.0) and row.pass_b == pytest.approx(2 / 3)  # the failure does not pass
    assert row.pass_difference == pytest.approx(-1 / 3)
    untouched = _row(pairing, "kit_edit", "mean_intensity_gap")
    assert (untouched.n_both, untouched.failed_only_b, untouched.difference) == (3, 0, 0.0)


def test_runs_over_different_data_are_compared_on_shared_samples_only(kit_runs):
    runs = [load_run(kit_runs[name]) for name in ("clean", "short", "changed")]
    comparison = compare(runs)
    short, changed = comparison.pairings
    assert (short.shared, short.only_a, short.only_b) == (6, 3, 0)
    assert "limit: None vs 2" in short.settings
    assert _row(short, "kit_vqa", "length_ratio").n_pairs == 2
    assert changed.different_data == 1 and changed.shared == 8  # one record's text differs: not paired
    assert "1 with the same id but different data" in changed.summary
    assert _row(changed, "kit_vqa", "length_ratio").n_pairs == 2
    assert any("data_root" in line for line in changed.settings)
    assert comparison.labels == ["counting (clean)", "counting (short)", "counting (changed)"]


def test_real_runs_differ_significantly_after_holm(judged_run, kit_runs):
    comparison = compare([load_run(judged_run), load_run(judged_run)])
    same = comparison.pairings[0]
    assert same.shared == 32 and all(m.difference in (0.0, None) for m in same.metrics)
    assert all(m.better is None for m in same.metrics)
    assert any("lpips[alex]: unavailable" in line for line in same.not_comparable)
    family = [m for m in same.metrics if m.key == "ssim"]
    assert len(family) == 12 and all(m.p_holm == 1.0 for m in family)


def test_the_side_by_side_table_has_every_task_group_and_metric(kit_runs):
    comparison = compare([load_run(kit_runs["clean"]), load_run(kit_runs["short"])])
    rows = {(kind, name, key): cells for kind, name, key, cells in comparison.side_by_side}
    assert rows[("task", "kit_vqa", "length_ratio")][0].n == 3
    assert rows[("task", "kit_vqa", "length_ratio")][1].n == 2
    assert ("group", "kit_all", "length_ratio") in rows
    no_groups = compare([load_run(kit_runs["clean"])], include_groups=False)
    assert all(kind == "task" for kind, *_ in no_groups.side_by_side) and no_groups.pairings == []
