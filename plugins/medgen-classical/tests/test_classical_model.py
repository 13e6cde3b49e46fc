"""ClassicalModel end to end: every task, output types, failure isolation, honesty, registration."""

from __future__ import annotations

import subprocess
import sys

import pytest
from classical_helpers import PeekedError, real_image, request
from medgen_classical.model import TASKS, ClassicalModel, UnknownTask
from PIL import Image

from medgen_core.types import ImageRef, ModelOutput

# (task, output_type, format, modality, prompt) for every task name in LAYOUT.md
CASES = [
    ("multiple_choice", "text", "vqa", "ct", "Which modality?\nA. MRI\nB. CT\nC. X-ray\nD. Ultrasound"),
    ("blank_filling", "text", "vqa", "mri", "This image is a ____ scan."),
    ("report_generation", "text", "vqa", "xray", "Write a radiology report for this image."),
    ("question_answering", "text", "vqa", "us", "What organ is shown?"),
    ("style_transfer", "image", "edit", "ct", "Show this CT in a bone window."),
    ("artifact_removal", "image", "edit", "mri", "Remove the motion artifact."),
    ("noise_reconstruction", "image", "edit", "xray", "Remove the noise."),
    ("resolution_editing", "image", "edit", "ct", "Upscale this image 2x."),
    ("contrast_enhancement", "image", "edit", "photo", "Enhance the contrast."),
    ("anatomical_annotation", "image", "edit", "ct", "Outline the liver in red."),
    ("disease_prediction", "text+image", "gen", "ct", "Predict how this lesion will look in a year."),
    ("instruction_editing", "text+image", "gen", "mri", "Increase the brightness of the image."),
    ("organ_removal", "text+image", "gen", "ct", "Remove the left kidney."),
    ("organ_reconstruction", "text+image", "gen", "ct", "Reconstruct the missing liver."),
    ("projection_3d_to_2d", "text+image", "gen", "mri", "Produce a maximum intensity projection."),
    ("reconstruction_2d_to_3d", "text+image", "gen", "mri", "Reconstruct the volume as 4 slices."),
    ("ct_lesion_edit", "text+image", "gen", "ct", "Remove the lesion from the liver."),
]

IMAGE_FOR = {
    "ct": "ct/ct_abdomen_pancreas_tcia.png",
    "mri": "mri/mr_brain_pd_axial.png",
    "xray": "xray/xr_chest_pa_cr.png",
    "us": "us/us_echo_philips.png",
    "photo": "photo/fundus_normal_left_eye.png",
}


@pytest.fixture(scope="module")
def model() -> ClassicalModel:
    return ClassicalModel()


def test_cases_cover_every_task() -> None:
    assert {c[0] for c in CASES} == set(TASKS)
    assert len(TASKS) == 17


def test_every_task_gets_a_well_typed_output(model: ClassicalModel) -> None:
    reqs = [
        request(
            task,
            prompt,
            out,
            [real_image(IMAGE_FOR[mod], 200)],
            modality=mod,
            fmt=fmt,
            choices=["MRI", "CT", "X-ray", "Ultrasound"] if task == "multiple_choice" else None,
        )
        for task, out, fmt, mod, prompt in CASES
    ]
    outputs = model.predict(reqs)
    assert len(outputs) == len(CASES)
    for (task, out, _, _, _), res in zip(CASES, outputs, strict=True):
        assert isinstance(res, ModelOutput), f"{task}: {res!r}"
        if out in ("text", "text+image"):
            assert isinstance(res.text, str) and res.text.strip(), task
        else:
            assert res.text is None, task
        if out in ("image", "text+image"):
            assert isinstance(res.image, Image.Image) and res.image.mode in ("L", "RGB"), task
            expected = {"resolution_editing": (400, 400)}.get(task, (200, 200))
            if task != "projection_3d_to_2d":
                assert res.image.size == expected, task
        else:
            assert res.image is None, task
    assert outputs[0].text == "B"  # the CT option, by modality cue


def test_failure_stays_with_its_sample(model: ClassicalModel) -> None:
    good = request("contrast_enhancement", "Enhance contrast.", "image", [real_image(IMAGE_FOR["ct"], 64)])
    bad = request("contrast_enhancement", "Enhance contrast.", "image", [real_image(IMAGE_FOR["ct"], 64)])
    bad.images = [ImageRef("broken.png", data=b"not a png")]
    unknown = request("time_travel", "Go back.", "image", [real_image(IMAGE_FOR["ct"], 64)])
    no_image = request("noise_reconstruction", "Denoise.", "image", [real_image(IMAGE_FOR["ct"], 64)])
    no_image.images = []
    outputs = model.predict([good, bad, unknown, good, no_image])
    assert isinstance(outputs[0], ModelOutput) and isinstance(outputs[3], ModelOutput)
    assert isinstance(outputs[1], Exception) and "broken.png" in str(outputs[1])
    assert isinstance(outputs[2], UnknownTask) and "time_travel" in str(outputs[2])
    assert isinstance(outputs[4], Exception) and "needs an input image" in str(outputs[4])


def test_model_never_reads_answer_reference_mask_or_record(model: ClassicalModel) -> None:
    reqs = [
        request(
            task,
            prompt,
            out,
            [real_image(IMAGE_FOR[mod], 96)],
            modality=mod,
            fmt=fmt,
            choices=["MRI", "CT", "X-ray", "Ultrasound"] if task == "multiple_choice" else None,
            guarded=True,
        )
        for task, out, fmt, mod, prompt in CASES
    ]
    with pytest.raises(PeekedError):  # the guard itself works
        _ = reqs[0].sample.answer
    for res in model.predict(reqs):
        assert not isinstance(res, PeekedError), res
        assert isinstance(res, ModelOutput)
        assert "SECRET-ANSWER" not in (res.text or "")


def test_factory_arguments_are_checked() -> None:
    assert ClassicalModel(batch_size=4, ct_hu_range=[-1024, 3071]).ct_hu_range == (-1024.0, 3071.0)
    with pytest.raises(TypeError, match="unknown argument"):
        ClassicalModel(temperature=0.2)
    with pytest.raises(TypeError, match="batch_size"):
        ClassicalModel(batch_size=0)
    with pytest.raises(TypeError, match="ct_hu_range"):
        ClassicalModel(ct_hu_range=(100, -100))


def test_registers_through_the_hook() -> None:
    import medgen_classical

    seen = {}
    medgen_classical.medgen_register_models(lambda name, factory, **info: seen.update({name: (factory, info)}))
    factory, info = seen["classical"]
    assert factory is ClassicalModel
    assert set(info["capabilities"]) == {"text_out", "image_out", "image_in", "multi_image_in"}
    assert info["description"]


def test_plugin_host_finds_classical() -> None:
    from medgen_core.plugins import PluginHost

    host = PluginHost()
    assert host.model("classical").factory is ClassicalModel


def test_import_is_cheap() -> None:
    code = (
        "import sys, medgen_classical, medgen_classical.model; "
        "heavy = [m for m in ('torch', 'transformers', 'diffusers', 'lpips', 'bert_score', 'litellm', "
        "'skimage', 'scipy') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
