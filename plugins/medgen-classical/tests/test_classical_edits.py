"""Style, annotation and generation methods on real images."""

from __future__ import annotations

import numpy as np
from classical_helpers import as_float, psnr, real_image
from medgen_classical import annotate, generate, parse, style


def test_ct_window_parsing() -> None:
    assert parse.ct_window("Display this CT in a lung window.") == (1500.0, -600.0)
    assert parse.ct_window("Apply window width 400 and window level 40.") == (400.0, 40.0)
    assert parse.ct_window("Use W:80 L:40") == (80.0, 40.0)
    assert parse.ct_window("Make it look like an MRI") is None


def test_ct_windowing_narrows_range() -> None:
    arr = as_float(real_image("ct/ct_abdomen_pancreas_tcia.png"))
    out, note = style.style_transfer(arr, "ct", "Convert to a brain window (W:80 L:40).")
    assert "width 80" in note
    # a narrow window saturates most pixels to black or white
    assert np.mean((out == 0) | (out == 1)) > 0.5


def test_stain_transfer_changes_colour_keeps_size() -> None:
    arr = as_float(real_image("pathology/he_skin_nevus.png"))
    out, note = style.style_transfer(arr, "pathology", "Transfer this H&E slide to an IHC (DAB) stain style.")
    assert "DAB" in note
    assert out.shape == arr.shape
    assert np.abs(out - arr).mean() > 0.02


def test_unrecognised_style_returns_input() -> None:
    arr = as_float(real_image("mri/mr_brain_pd_axial.png"))
    out, note = style.style_transfer(arr, "mri", "Make it look nicer.")
    assert out is arr and "unchanged" in note


def test_annotation_draws_named_colour_contour() -> None:
    arr = as_float(real_image("ct/ct_head_subdural_693.png"))
    out, note = annotate.annotate(arr, "Outline the skull in green.")
    assert out.shape == arr.shape + (3,)
    green = (out[..., 1] == 1.0) & (out[..., 0] == 0.0) & (out[..., 2] == 0.0)
    assert 100 < green.sum() < 0.2 * green.size, note
    untouched = ~green
    assert np.allclose(out[untouched][:, 0], np.repeat(arr[..., None], 3, -1)[untouched][:, 0])


def test_annotation_fill_and_box() -> None:
    arr = as_float(real_image("xray/xr_chest_pa_cr.png"))
    filled, note = annotate.annotate(arr, "Highlight the lungs with a blue mask.")
    assert "blue" in note and filled[..., 2].mean() > arr.mean()
    boxed, note = annotate.annotate(arr, "Draw a yellow bounding box around the heart.")
    assert "bounding box" in note


def test_organ_reconstruction_inpaints_blanked_region() -> None:
    clean = as_float(real_image("mri/mr_brain_t1_coronal_dipy.png"))
    holed = clean.copy()
    holed[100:140, 90:150] = 0.0
    out, note = generate.organ_reconstruction(holed, "mri", "Reconstruct the missing region.")
    assert "inpainted" in note
    assert psnr(out, clean) > psnr(holed, clean) + 2


def test_projection_of_montage_is_max_over_tiles() -> None:
    tiles = [as_float(real_image("mri/mr_brain_pd_axial.png", 64)) * f for f in (0.6, 0.8, 1.0, 0.9)]
    montage = np.concatenate([np.concatenate(tiles[:2], 1), np.concatenate(tiles[2:], 1)], 0)
    out, note = generate.projection_3d_to_2d(montage, "mri", "Produce a maximum intensity projection of these slices.")
    assert out.shape == (64, 64) and "2x2" in note
    assert np.allclose(out, np.max(np.stack(tiles), axis=0))


def test_projection_of_single_view_is_itself() -> None:
    arr = as_float(real_image("ct/ct_chest_nema_ct1.png"))
    out, _ = generate.projection_3d_to_2d(arr, "ct", "Project this volume to a coronal radiograph.")
    assert out is arr


def test_reconstruction_montage_keeps_input_size() -> None:
    arr = as_float(real_image("ct/ct_chest_nema_ct1.png", 120))
    out, note = generate.reconstruction_2d_to_3d(arr, "ct", "Reconstruct 3D and show a 3x3 montage of slices.")
    assert out.shape == arr.shape and "3x3" in note


def test_instruction_editing_global_ops() -> None:
    arr = as_float(real_image("xray/xr_tibia_nof_cr.png"))
    out, note = generate.instruction_editing(arr, "xray", "Flip the image horizontally.")
    assert np.array_equal(out, arr[:, ::-1]) and "flipped" in note
    out, note = generate.instruction_editing(arr, "xray", "Rotate the image 90 degrees clockwise.")
    assert np.array_equal(out, np.rot90(arr, -1))
    out, note = generate.instruction_editing(arr, "xray", "Add a small nodule in the upper lobe.")
    assert "lightly denoised" in note and psnr(out, arr) > 30


def test_contrast_as_technique_is_not_an_edit():
    """'non-contrast CT' and 'contrast-enhanced CT' describe the scan; only 'increase the contrast' edits it."""
    import numpy as np
    from medgen_classical.generate import instruction_editing

    arr = np.linspace(0.2, 0.6, 64 * 64).reshape(64, 64)
    for prompt in (
        "Edit this axial non-contrast head CT: add a 16-px low-intensity focal lesion in the lower-right part.",
        "Edit this axial contrast-enhanced abdominal CT: remove the 14-px focal lesion in the centre.",
    ):
        out, note = instruction_editing(arr, "ct", prompt)
        assert "contrast" not in note and np.abs(out - arr).max() < 0.05
    out, note = instruction_editing(arr, "ct", "Increase the contrast of this CT image.")
    assert "CLAHE" in note and out.std() > arr.std()
