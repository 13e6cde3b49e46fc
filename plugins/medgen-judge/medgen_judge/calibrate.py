"""How far to trust a judge: agreement between its scores and human expert ratings of the same samples.

Ratings CSV (one row per rating; header required, extra columns ignored):

    task,id,dimension,score[,rater][,mode]

``dimension`` is a rubric dimension or ``overall``; ``score`` a number in
1-10; ``rater`` names the expert (default ``rater``); ``mode``
(``with_reference`` / ``without_reference``) restricts a rating to that
judge mode, otherwise it is compared with every mode. Judge scores come from
the run folder's samples.jsonl (``judges`` field).

Per judge, mode and dimension: Pearson and Spearman correlation (scipy),
quadratic-weighted Cohen's kappa on scores rounded to 1-10 (scikit-learn),
and with several raters, ICC(2,1) among the humans and with the judge added
as one more rater (pingouin). Several raters' scores are averaged before
comparing with the judge.
"""

from __future__ import annotations

import csv
import json
import math
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medgen_core import MedgenError

REQUIRED_COLUMNS = ("task", "id", "dimension", "score")
MODES = ("with_reference", "without_reference")
Key = tuple[str, str, str]  # task, id, dimension


@dataclass
class Ratings:
    """Human ratings: key -> rater -> score, with the mode each applies to (None: every mode)."""

    scores: dict[str | None, dict[Key, dict[str, float]]] = field(default_factory=dict)
    raters: set[str] = field(default_factory=set)
    count: int = 0

    def for_mode(self, mode: str) -> dict[Key, dict[str, float]]:
        merged: dict[Key, dict[str, float]] = {k: dict(v) for k, v in self.scores.get(None, {}).items()}
        for key, by_rater in self.scores.get(mode, {}).items():
            merged.setdefault(key, {}).update(by_rater)
        return merged


def read_ratings(path: Path) -> Ratings:
    """Parse and validate the ratings CSV; every error names the file and line."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise MedgenError(f"{path}: cannot read ratings: {exc.strerror or exc}") from None
    ratings = Ratings()
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise MedgenError(
                f"{path}: missing column(s) {', '.join(missing)}; expected a header "
                "task,id,dimension,score[,rater][,mode]"
            )
        for line, row in enumerate(reader, start=2):
            row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            where = f"{path}:{line}"
            if not any(row.values()):
                continue
            for column in REQUIRED_COLUMNS:
                if not row.get(column):
                    raise MedgenError(f"{where}: column {column!r} is empty")
            try:
                score = float(row["score"])
            except ValueError:
                raise MedgenError(f"{where}: score {row['score']!r} is not a number") from None
            if not math.isfinite(score) or not 1 <= score <= 10:
                raise MedgenError(f"{where}: score {row['score']} is outside 1-10")
            mode = row.get("mode") or None
            if mode is not None and mode not in MODES:
                raise MedgenError(f"{where}: mode {mode!r}; use {' or '.join(MODES)} or leave it empty")
            rater = row.get("rater") or "rater"
            key = (row["task"], row["id"], row["dimension"])
            by_rater = ratings.scores.setdefault(mode, {}).setdefault(key, {})
            if rater in by_rater:
                raise MedgenError(f"{where}: rater {rater!r} rated {'/'.join(key)} twice")
            by_rater[rater] = score
            ratings.raters.add(rater)
            ratings.count += 1
    if not ratings.count:
        raise MedgenError(f"{path}: no ratings")
    return ratings


@dataclass
class JudgeScores:
    """Judge scores from samples.jsonl: (judge, mode) -> key -> score, and how many were unusable."""

    scores: dict[tuple[str, str], dict[Key, float]] = field(default_factory=dict)
    failed: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    not_judged: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))


def read_judge_scores(run_dir: Path) -> JudgeScores:
    path = run_dir / "samples.jsonl"
    if not path.is_file():
        raise MedgenError(f"{run_dir}: no samples.jsonl (is this a finished medgen run folder?)")
    found = JudgeScores()
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                sample = json.loads(line)
            except ValueError:
                raise MedgenError(f"{path}:{line_no}: not valid JSON") from None
            for judge, by_mode in (sample.get("judges") or {}).items():
                for mode, verdict in (by_mode or {}).items():
                    pair = (judge, mode)
                    if "overall" not in verdict:
                        target = found.not_judged if "not_judged" in verdict else found.failed
                        target[pair] += 1
                        continue
                    into = found.scores.setdefault(pair, {})
                    into[(sample["task"], str(sample["id"]), "overall")] = float(verdict["overall"])
                    for dim, value in (verdict.get("dimensions") or {}).items():
                        into[(sample["task"], str(sample["id"]), dim)] = float(value)
    if not found.scores and not found.failed:
        raise MedgenError(f"{path}: no judge scores; run with --judge (or `medgen score --judge ...`) first")
    return found


def agreement(judge: list[float], human: list[float]) -> dict[str, Any]:
    """Pearson, Spearman and quadratic-weighted kappa of paired scores (None where undefined)."""
    from scipy import stats
    from sklearn.metrics import cohen_kappa_score

    out: dict[str, Any] = {"n": len(judge), "pearson": None, "spearman": None, "kappa_quadratic": None}
    if len(judge) < 3:
        out["note"] = "fewer than 3 paired scores"
        return out
    if len(set(judge)) < 2 or len(set(human)) < 2:
        out["note"] = "constant scores: correlation undefined"
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pearson = stats.pearsonr(judge, human)
            spearman = stats.spearmanr(judge, human)
        out["pearson"] = {"r": _num(pearson.statistic), "p": _num(pearson.pvalue)}
        out["spearman"] = {"rho": _num(spearman.statistic), "p": _num(spearman.pvalue)}
    labels = list(range(1, 11))
    kappa = cohen_kappa_score(
        [_round(v) for v in judge], [_round(v) for v in human], labels=labels, weights="quadratic"
    )
    out["kappa_quadratic"] = _num(kappa)
    return out


def icc(items: dict[Key, dict[str, float]], extra: dict[Key, float] | None = None) -> dict[str, Any] | None:
    """ICC(2,1) (two-way random, absolute agreement, single rater) over items every rater scored.

    ``extra`` adds the judge as one more rater. None with fewer than 2 raters or 3 complete items.
    """
    import pandas as pd
    import pingouin as pg

    rows = []
    for key, by_rater in items.items():
        scores = dict(by_rater)
        if extra is not None:
            if key not in extra:
                continue
            scores["__judge__"] = extra[key]
        rows += [{"item": "|".join(key), "rater": r, "score": s} for r, s in scores.items()]
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    raters = frame["rater"].nunique()
    complete = frame.groupby("item")["rater"].nunique() == raters
    frame = frame[frame["item"].isin(complete[complete].index)]
    if raters < 2 or frame["item"].nunique() < 3:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = pg.intraclass_corr(data=frame, targets="item", raters="rater", ratings="score")
    by_type = table.set_index("Type")
    row = by_type.loc["ICC(A,1)" if "ICC(A,1)" in by_type.index else "ICC2"]  # pingouin >= 0.7 / older names
    low, high = (float(x) for x in row["CI95"]) if "CI95" in row else (math.nan, math.nan)
    return {"icc2_1": _num(row["ICC"]), "ci95": [_num(low), _num(high)], "items": int(frame["item"].nunique())}


def calibrate(run_dir: Path, ratings_path: Path, judge_key: str | None = None) -> dict[str, Any]:
    """Everything calibration.json holds; see the module docstring."""
    ratings = read_ratings(ratings_path)
    judged = read_judge_scores(run_dir)
    pairs = sorted(judged.scores) if judge_key is None else [p for p in sorted(judged.scores) if p[0] == judge_key]
    if not pairs:
        known = ", ".join(sorted({j for j, _ in judged.scores})) or "none"
        raise MedgenError(f"{run_dir}: no scores from judge {judge_key!r}; judges in this run: {known}")
    rows = []
    for judge, mode in pairs:
        human = ratings.for_mode(mode)
        scores = judged.scores[(judge, mode)]
        by_dim: dict[str, list[Key]] = defaultdict(list)
        for key in sorted(human):
            if key in scores:
                by_dim[key[2]].append(key)
        for dim in sorted(by_dim, key=lambda d: (d != "overall", d)):
            keys = by_dim[dim]
            judge_values = [scores[k] for k in keys]
            human_means = [sum(human[k].values()) / len(human[k]) for k in keys]
            dim_human = {k: human[k] for k in keys}
            row = {"judge": judge, "mode": mode, "dimension": dim, **agreement(judge_values, human_means)}
            row["icc_humans"] = icc(dim_human)
            row["icc_with_judge"] = icc(dim_human, scores) if row["icc_humans"] is not None else None
            rows.append(row)
    rated = {k for by_key in ratings.scores.values() for k in by_key}
    matched: set[Key] = set()
    for judge, mode in pairs:
        matched |= set(ratings.for_mode(mode)) & set(judged.scores[(judge, mode)])
    return {
        "run": str(run_dir),
        "ratings": str(ratings_path),
        "n_ratings": ratings.count,
        "raters": sorted(ratings.raters),
        "rows": rows,
        "unmatched_ratings": len(rated - matched),
        "judge_failures": {f"{j}[{m}]": n for (j, m), n in sorted(judged.failed.items())},
        "not_judged": {f"{j}[{m}]": n for (j, m), n in sorted(judged.not_judged.items())},
    }


def _round(value: float) -> int:
    return int(min(10, max(1, math.floor(value + 0.5))))


def _num(value: Any) -> float | None:
    value = float(value)
    return round(value, 6) if math.isfinite(value) else None
