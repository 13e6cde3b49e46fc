"""The plugin registers through its entry point and keeps heavy imports out of import time."""

from __future__ import annotations

import subprocess
import sys

from medgen_core.plugins import PluginHost


def test_metrics_registered_with_tier_direction_threshold() -> None:
    host = PluginHost()
    assert host.records["pixel"].error is None
    expect = {
        "ssim": (True, 0.7),
        "psnr": (True, 28.0),
        "lpips": (False, 0.6),
        "ssim_in_mask": (True, 0.7),
        "ssim_out_mask": (True, 0.7),
        "psnr_in_mask": (True, 28.0),
        "psnr_out_mask": (True, 28.0),
    }
    for name, (higher, threshold) in expect.items():
        info = host.metric(name)
        assert (info.tier, info.reads, info.plugin) == ("pixel", "image", "pixel")
        assert (info.higher_is_better, info.threshold) == (higher, threshold)
    assert host.metric("ssim_out_mask").factory().key == "ssim_out_mask"


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    code = (
        "import sys; from medgen_core.plugins import PluginHost; h = PluginHost(); h.metrics;"
        "heavy = [m for m in ('torch', 'lpips', 'skimage', 'scipy', 'torchvision') if m in sys.modules];"
        "assert 'pixel' in h.records and not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
