"""medgen-pixel: the pixel scorer tier of MedGEN-Bench (SSIM, PSNR, LPIPS and masked variants).

Importing this module is cheap: numpy, PIL, torch and lpips load inside the
metric objects at first use.
"""

from __future__ import annotations

from typing import Any

from medgen_core import hookimpl

__version__ = "0.1.0"


@hookimpl
def medgen_register_metrics(register: Any) -> None:
    from medgen_pixel import lpips_metric, metrics

    common = {"tier": "pixel", "reads": "image"}
    register(
        "ssim",
        metrics.SSIMMetric,
        higher_is_better=True,
        threshold=0.7,
        **common,
        description="SSIM, 8-bit gray, scikit-image defaults, data_range 255 (paper pass: >= 0.7)",
    )
    register(
        "psnr",
        metrics.PSNRMetric,
        higher_is_better=True,
        threshold=28.0,
        **common,
        description="PSNR on RGB, peak 255, capped at 100 dB (paper pass: >= 28 dB)",
    )
    register(
        "lpips",
        lpips_metric.LPIPSMetric,
        higher_is_better=False,
        threshold=0.6,
        **common,
        description="LPIPS AlexNet at 256x256, inputs in [-1, 1] (paper pass: <= 0.6)",
    )
    masked = (
        ("ssim_in_mask", metrics.ssim_in_mask, True, 0.7, "SSIM map averaged over centres inside the mask"),
        ("ssim_out_mask", metrics.ssim_out_mask, True, 0.7, "SSIM map averaged over centres outside the mask"),
        ("psnr_in_mask", metrics.psnr_in_mask, True, 28.0, "PSNR with the MSE over pixels inside the mask"),
        ("psnr_out_mask", metrics.psnr_out_mask, True, 28.0, "PSNR with the MSE over pixels outside the mask"),
    )
    for name, factory, higher, threshold, text in masked:
        register(
            name,
            factory,
            higher_is_better=higher,
            threshold=threshold,
            **common,
            description=f"{text} (needs sample.mask_image; none -> per-sample failure)",
        )
