"""Pixel tier speed: the authors' per-pair loop vs medgen-pixel's batched ``score(items)``.

Writes N editing pairs (512x512 PNGs: blurred / noisy / contrast-shifted
variants of the real sources in sample_benchmark/sources) into a temp
folder, then runs each side in its own subprocess (so peak RSS is per side):

- baseline: for each pair, decode, LANCZOS-resize, scikit-image SSIM on
  gray, numpy PSNR on RGB, LPIPS on one pair;
- plugin: the ssim, psnr and lpips metric objects called on chunks of 64
  items, as the runner does.

Both use the same torch thread count. Values are compared and printed, as
well as the speed ratio and peak memory for 100 vs N pairs. LPIPS uses the
real lpips code with a seeded RANDOM AlexNet backbone (pnet_rand=True): the
ImageNet weights are not available offline; the work per pair is the same.

    /tmp/venv/bin/python benchmarks/bench_pixel.py --pairs 500 --threads 2
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import machine_line

for _k, _v in {
    "HF_HUB_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
}.items():
    os.environ.setdefault(_k, _v)

SOURCES = str(Path(__file__).resolve().parents[1] / "sample_benchmark" / "sources" / "*" / "*.png")
CHUNK = 64
SEED = 0


def write_pairs(folder: Path, n: int, size: int) -> None:
    """Reference = a real source at size x size; prediction = a degraded variant of it."""
    import numpy as np
    from PIL import Image, ImageEnhance, ImageFilter

    rng = np.random.default_rng(0)
    sources = sorted(glob.glob(SOURCES))
    for i in range(n):
        ref = Image.open(sources[i % len(sources)]).convert("RGB" if i % 2 else "L").resize((size, size))
        kind = i % 3
        if kind == 0:
            pred = ref.filter(ImageFilter.GaussianBlur(1 + i % 4))
        elif kind == 1:
            arr = np.asarray(ref, dtype=np.float64)
            pred = Image.fromarray(np.clip(arr + rng.normal(0, 12, arr.shape), 0, 255).astype(np.uint8))
        else:
            pred = ImageEnhance.Contrast(ref).enhance(1.3)
        ref.save(folder / f"ref_{i:04d}.png")
        pred.save(folder / f"pred_{i:04d}.png")


def items_for(folder: Path, n: int) -> list:
    from medgen_core.types import ImageRef, Sample, ScoreItem

    items = []
    for i in range(n):
        ref, pred = folder / f"ref_{i:04d}.png", folder / f"pred_{i:04d}.png"
        sample = Sample(
            id=f"s{i}",
            task="bench",
            format="edit",
            modality="CT",
            instruction="",
            reference_image=ImageRef(ref.name, ref),
        )
        items.append(ScoreItem(sample, None, ImageRef(pred.name, pred)))
    return items


def run_baseline(items: list, threads: int) -> dict:
    """The authors' pattern: one pair at a time, each library called directly."""
    import lpips
    import numpy as np
    import torch
    from PIL import Image
    from skimage.metrics import structural_similarity

    torch.set_num_threads(threads)
    torch.manual_seed(SEED)
    model = lpips.LPIPS(net="alex", pnet_rand=True, verbose=False).eval()

    def tensor(img: Image.Image) -> torch.Tensor:
        arr = np.asarray(img.convert("RGB").resize((256, 256), Image.Resampling.BILINEAR), dtype=np.float32)
        return torch.from_numpy(arr).permute(2, 0, 1).unsqueeze(0) / 127.5 - 1.0

    out: dict[str, list[float]] = {"ssim": [], "psnr": [], "lpips": []}
    start = time.perf_counter()
    for item in items:
        pred, ref = item.image.open(), item.sample.reference_image.open()
        if pred.size != ref.size:
            pred = pred.resize(ref.size, Image.Resampling.LANCZOS)
        out["ssim"].append(
            float(structural_similarity(np.asarray(pred.convert("L")), np.asarray(ref.convert("L")), data_range=255))
        )
        a = np.asarray(pred.convert("RGB"), dtype=np.float64)
        b = np.asarray(ref.convert("RGB"), dtype=np.float64)
        mse = float(np.mean((a - b) ** 2))
        out["psnr"].append(100.0 if mse == 0 else min(100.0, 10 * float(np.log10(255.0**2 / mse))))
        with torch.inference_mode():
            out["lpips"].append(float(model(tensor(pred), tensor(ref))))
    return {"seconds": time.perf_counter() - start, "values": out}


def run_plugin(items: list, threads: int) -> dict:
    """medgen-pixel's metric objects over runner-sized chunks (with the runner's --tune_malloc)."""
    from medgen_pixel.lpips_metric import LPIPSMetric

    from medgen_core.run.memory import tune_malloc

    tune_malloc()
    from medgen_pixel.metrics import PSNRMetric, SSIMMetric

    metrics = {
        "ssim": SSIMMetric(),
        "psnr": PSNRMetric(),
        "lpips": LPIPSMetric(pnet_rand=True, seed=SEED, threads=threads),
    }
    metrics["lpips"]._load()  # model construction is not part of the per-pair cost (baseline: same)
    out: dict[str, list[float]] = {k: [] for k in metrics}
    start = time.perf_counter()
    for i in range(0, len(items), CHUNK):
        chunk = items[i : i + CHUNK]
        for name, metric in metrics.items():
            for v in metric.score(chunk):
                if isinstance(v, BaseException):
                    raise v
                out[name].append(float(getattr(v, "value", v)))
    return {"seconds": time.perf_counter() - start, "values": out}


def worker(side: str, folder: Path, n: int, threads: int) -> None:
    items = items_for(folder, n)
    result = (run_baseline if side == "baseline" else run_plugin)(items, threads)
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def spawn(side: str, folder: Path, n: int, threads: int) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        side,
        "--folder",
        str(folder),
        "--pairs",
        str(n),
        "--threads",
        str(threads),
    ]
    proc = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=500)
    ap.add_argument("--small", type=int, default=100, help="second, smaller run to show memory is flat")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--worker", choices=["baseline", "plugin"])
    ap.add_argument("--folder", type=Path)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.folder, args.pairs, args.threads)
        return

    with tempfile.TemporaryDirectory(prefix="bench_pixel_") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        write_pairs(folder, args.pairs, args.size)
        print(f"wrote {args.pairs} pairs of {args.size}x{args.size} PNGs in {time.perf_counter() - t0:.1f} s")
        print(machine_line(args.threads))
        print(
            "LPIPS backbone: seeded RANDOM AlexNet (pnet_rand=True; real weights are not available offline, same "
            "compute); the plugin side runs as `medgen run --tune_malloc` does"
        )
        base = spawn("baseline", folder, args.pairs, args.threads)
        plug = spawn("plugin", folder, args.pairs, args.threads)
        small = spawn("plugin", folder, args.small, args.threads)
        base_small = spawn("baseline", folder, args.small, args.threads)

    n = args.pairs
    bms, pms = base["seconds"] / n * 1e3, plug["seconds"] / n * 1e3
    print(f"\n{'':28}{'per-pair loop':>16}{'medgen-pixel':>16}{'ratio':>10}")
    print(
        f"{'time, ' + str(n) + ' pairs (s)':28}{base['seconds']:16.2f}{plug['seconds']:16.2f}"
        f"{base['seconds'] / plug['seconds']:9.2f}x"
    )
    print(f"{'ms per pair':28}{bms:16.1f}{pms:16.1f}")
    print(
        f"{'peak RSS, ' + str(args.small) + ' pairs (MB)':28}{base_small['max_rss_mb']:16.0f}"
        f"{small['max_rss_mb']:16.0f}"
    )
    print(f"{'peak RSS, ' + str(n) + ' pairs (MB)':28}{base['max_rss_mb']:16.0f}{plug['max_rss_mb']:16.0f}")

    print("\nvalues, plugin vs per-pair loop:")
    ok = True
    for name in ("ssim", "psnr", "lpips"):
        import numpy as np

        a, b = np.array(plug["values"][name]), np.array(base["values"][name])
        absdiff = float(np.max(np.abs(a - b)))
        reldiff = float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-12)))
        good = reldiff <= 1e-5 if name == "lpips" else absdiff <= 1e-6
        ok &= good
        print(
            f"  {name:6} max |diff| {absdiff:.2e}  max rel {reldiff:.2e}  mean {a.mean():.4f}  "
            f"{'OK' if good else 'MISMATCH'}"
        )
    print("values identical within tolerance (SSIM/PSNR 1e-6 abs, LPIPS 1e-5 rel):", "yes" if ok else "NO")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
