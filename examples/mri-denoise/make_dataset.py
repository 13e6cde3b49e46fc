"""Rebuild this example dataset from the bundled sample's MR sources (deterministic).

Writes ``data/cases.jsonl`` + ``data/images/`` (paths relative to the JSONL) and
``data/cases.parquet`` (the same records, images embedded as ``Image`` features).

    python examples/mri-denoise/make_dataset.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
SOURCES = HERE.parent.parent / "sample_benchmark" / "sources" / "mri"
SEQUENCES = ["T1-weighted", "FLAIR", "Proton density", "Echo-planar (fMRI)"]
CASES = [  # source file, sequence, plane
    ("mr_brain_t1_coronal_dipy.png", "T1-weighted", "coronal"),
    ("mr_brain_flair_axial.png", "FLAIR", "axial"),
    ("mr_brain_pd_axial.png", "Proton density", "axial"),
    ("mr_brain_epi_fmri.png", "Echo-planar (fMRI)", "axial"),
]
NOISE_SIGMA = 12.0


def clean_and_noisy(source: Path, seed: int) -> tuple[Image.Image, Image.Image]:
    """The source at most 128 px wide (LANCZOS), and a copy with Gaussian noise (sigma 12 grey levels)."""
    img = Image.open(source).convert("L")
    img.thumbnail((128, 128), Image.Resampling.LANCZOS)
    pixels = np.asarray(img, dtype=np.float64)
    noise = np.random.default_rng(seed).normal(0.0, NOISE_SIGMA, pixels.shape)
    noisy = np.clip(np.rint(pixels + noise), 0, 255).astype(np.uint8)
    return img, Image.fromarray(noisy, mode="L")


def main() -> None:
    data = HERE / "data"
    (data / "images").mkdir(parents=True, exist_ok=True)
    records = []
    for i, (name, sequence, plane) in enumerate(CASES, start=1):
        case = f"mri-{i:03d}"
        clean, noisy = clean_and_noisy(SOURCES / name, seed=i)
        clean.save(data / "images" / f"{case}_clean.png", optimize=True)
        noisy.save(data / "images" / f"{case}_noisy.png", optimize=True)
        records.append(
            {
                "case_id": case,
                "modality": "MRI",
                "sequence": sequence,
                "plane": plane,
                "noisy": f"images/{case}_noisy.png",
                "clean": f"images/{case}_clean.png",
                "noise_sigma": NOISE_SIGMA,
                "sequence_options": SEQUENCES,
                "sequence_index": SEQUENCES.index(sequence),
                "source_file": f"sample_benchmark/sources/mri/{name}",
            }
        )
    with (data / "cases.jsonl").open("w") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in records)
    write_parquet(records, data)


def write_parquet(records: list[dict], data: Path) -> None:
    """The same records with the two images embedded as ``Image`` features (bytes and file name)."""
    import datasets

    rows = {key: [r[key] for r in records] for key in records[0]}
    for column in ("noisy", "clean"):
        rows[column] = [{"bytes": (data / p).read_bytes(), "path": Path(p).name} for p in rows[column]]
    features = datasets.Features(
        {
            **{key: datasets.Value("string") for key in ("case_id", "modality", "sequence", "plane", "source_file")},
            "noisy": datasets.Image(),
            "clean": datasets.Image(),
            "noise_sigma": datasets.Value("float64"),
            "sequence_options": datasets.List(datasets.Value("string")),
            "sequence_index": datasets.Value("int64"),
        }
    )
    datasets.Dataset.from_dict(rows, features=features).to_parquet(str(data / "cases.parquet"))


if __name__ == "__main__":
    main()
