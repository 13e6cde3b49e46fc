"""The 16 tasks: official folder and record fields, and the recipes that make their image pairs.

A :class:`Recipe` names candidate transforms (the first one registered for a
source's modality is used), parameter variants per transform, which sources
qualify and the subtask labels. Recipes refer to transforms by NAME: the
pipeline resolves them in the core's transform registry, so a recipe can use
a transform from any installed or in-process plugin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Recipe:
    transforms: tuple[str, ...]
    params: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict)
    modalities: tuple[str, ...] | None = None  # None: the transform's registered modalities
    channels: str | None = None  # "rgb" or "gray" to restrict sources
    sources: tuple[str, ...] | None = None  # explicit source files
    paper_subtask: str | None = None
    observed_subtask: str = ""


@dataclass(frozen=True)
class Group:
    """``share`` x per-task records made from ``recipes`` (taken in turn)."""

    recipes: tuple[Recipe, ...]
    share: float = 1.0


@dataclass(frozen=True)
class TaskSpec:
    name: str
    folder: str
    category: str
    paper_format: str
    in_out: str
    sub_category: str
    groups: tuple[Group, ...] = ()

    @property
    def paper_task(self) -> str:
        return self.folder.split("/", 1)[1]

    @property
    def format_dir(self) -> str:
        return self.folder.split("/", 1)[0]


def R(*transforms: str, **kw: Any) -> Recipe:  # noqa: N802 - short constructor for the tables below
    params = {k: tuple(v) for k, v in kw.pop("params", {}).items()}
    return Recipe(tuple(transforms), params, **kw)


VQA_IO, EDIT_IO, GEN_IO = "image-text_to_text", "image-text_to_image", "image-text_to_image-text"
GRAY_RADIOLOGY = ("ct", "mri", "xray")

IMAGE_TASKS: dict[str, TaskSpec] = {
    t.name: t
    for t in (
        TaskSpec(
            "style_transfer",
            "ImageEditing/style-transfer",
            "ImageEdit",
            "Image Editing",
            EDIT_IO,
            "Style transfer",
            (
                Group(
                    (
                        R(
                            "ct_window",
                            params={
                                "ct_window": [
                                    {"window": "bone (high window)"},
                                    {"window": "narrow soft-tissue"},
                                    {"window": "wide lung-style"},
                                ]
                            },
                            paper_subtask="Radiographic style",
                            observed_subtask="CT window change",
                        ),
                        R(
                            "stain_restyle",
                            channels="rgb",
                            params={
                                "stain_restyle": [
                                    {"target": "hematoxylin only"},
                                    {"target": "eosin only"},
                                    {"target": "strong eosin"},
                                ]
                            },
                            paper_subtask="Dye style",
                            observed_subtask="stain recomposition",
                        ),
                        R(
                            "invert_polarity",
                            paper_subtask="Radiographic style",
                            observed_subtask="X-ray polarity inversion",
                        ),
                        R(
                            "red_free",
                            channels="rgb",
                            paper_subtask="Programmatic style",
                            observed_subtask="red-free fundus",
                        ),
                        R(
                            "colour_map",
                            modalities=("mri", "us"),
                            channels="gray",
                            params={"colour_map": [{"cmap": "hot"}, {"cmap": "viridis"}, {"cmap": "bone"}]},
                            paper_subtask="Programmatic style",
                            observed_subtask="pseudo-colour map",
                        ),
                    ),
                ),
            ),
        ),
        TaskSpec(
            "artifact_removal",
            "ImageEditing/artifact-removal",
            "ImageEdit",
            "Image Editing",
            EDIT_IO,
            "Artifact removal",
            (
                Group(
                    (
                        R(
                            "streak_artifact",
                            "motion_ghosting",
                            "bias_field",
                            modalities=("ct", "mri", "xray", "us"),
                            params={
                                "streak_artifact": [{"n_streaks": 8}, {"n_streaks": 12, "strength": 35.0}],
                                "motion_ghosting": [
                                    {"shift_px": 6.0, "period": 4},
                                    {"shift_px": 10.0, "period": 3, "axis": 1},
                                ],
                                "bias_field": [{"strength": 0.45}, {"strength": 0.3}],
                            },
                            observed_subtask="artifact removal",
                        ),
                        R(
                            "ring_artifact",
                            "bias_field",
                            modalities=("ct", "mri", "pathology", "photo"),
                            params={
                                "ring_artifact": [{"n_rings": 5}, {"n_rings": 7, "strength": 25.0}],
                                "bias_field": [{"strength": 0.4}],
                            },
                            observed_subtask="artifact removal",
                        ),
                    ),
                ),
            ),
        ),
        TaskSpec(
            "noise_reconstruction",
            "ImageEditing/noise-reconstruction",
            "ImageEdit",
            "Image Editing",
            EDIT_IO,
            "Noise reconstruction",
            (
                Group(
                    (
                        R(
                            "poisson_noise",
                            "rician_noise",
                            "speckle_noise",
                            "gaussian_noise",
                            params={
                                "poisson_noise": [{"photons": 30.0}, {"photons": 60.0}],
                                "rician_noise": [{"sigma": 14.0}, {"sigma": 22.0}],
                                "speckle_noise": [{"looks": 3.0}, {"looks": 6.0}],
                                "gaussian_noise": [{"sigma": 12.0}, {"sigma": 20.0}],
                            },
                            observed_subtask="denoising",
                        ),
                    ),
                ),
            ),
        ),
        TaskSpec(
            "resolution_editing",
            "ImageEditing/resolution-editing",
            "ImageEdit",
            "Image Editing",
            EDIT_IO,
            "Resolution editing",
            (
                Group(
                    (
                        R(
                            "downsample",
                            params={"downsample": [{"factor": 2}, {"factor": 4}]},
                            observed_subtask="super-resolution",
                        ),
                    ),
                ),
            ),
        ),
        TaskSpec(
            "contrast_enhancement",
            "ImageEditing/contrast-enhancement",
            "ImageEdit",
            "Image Editing",
            EDIT_IO,
            "Contrast enhancement",
            (
                Group(
                    (
                        R(
                            "contrast_reduction",
                            params={"contrast_reduction": [{"factor": 0.35}, {"factor": 0.5, "gamma": 1.3}]},
                            paper_subtask="Contrast Enhancement",
                            observed_subtask="contrast enhancement",
                        ),
                    ),
                ),
            ),
        ),
        TaskSpec(
            "anatomical_annotation",
            "ImageEditing/anatomical-annotation",
            "ImageEdit",
            "Image Editing",
            EDIT_IO,
            "Anatomical annotation",
            (
                Group(
                    (
                        R(
                            "contour_overlay",
                            modalities=GRAY_RADIOLOGY,
                            params={"contour_overlay": [{"region": "foreground", "colour": "green"}]},
                            observed_subtask="contour annotation",
                        ),
                        R(
                            "label_overlay",
                            modalities=("ct", "xray", "mri"),
                            params={"label_overlay": [{"region": "bright", "colour": "red"}]},
                            observed_subtask="label annotation",
                        ),
                        R(
                            "contour_overlay",
                            modalities=("pathology",),
                            params={"contour_overlay": [{"region": "nuclei", "colour": "yellow", "thickness": 1}]},
                            observed_subtask="nuclei contours",
                        ),
                        R(
                            "label_overlay",
                            modalities=("photo",),
                            channels="rgb",
                            params={"label_overlay": [{"region": "optic_disc", "colour": "cyan"}]},
                            observed_subtask="optic disc label",
                        ),
                    ),
                ),
            ),
        ),
        TaskSpec(
            "disease_prediction",
            "MultimodalGeneration/disease-prediction",
            "MMGeneration",
            "Multimodal Generation",
            GEN_IO,
            "Disease prediction",
            (
                Group(
                    (
                        R(
                            "lesion_resize",
                            modalities=("ct",),
                            params={
                                "lesion_resize": [
                                    {"radius": 6.0, "new_radius": 12.0, "contrast": -45.0},
                                    {"radius": 5.0, "new_radius": 9.0, "contrast": -40.0, "satellites": 1},
                                ]
                            },
                            paper_subtask="Early to Late",
                            observed_subtask="lesion growth",
                        ),
                        R(
                            "lesion_resize",
                            modalities=("mri",),
                            params={
                                "lesion_resize": [
                                    {"radius": 5.0, "new_radius": 11.0, "contrast": 55.0},
                                    {"radius": 6.0, "new_radius": 10.0, "contrast": 50.0, "satellites": 1},
                                ]
                            },
                            paper_subtask="Early to Late",
                            observed_subtask="lesion growth",
                        ),
                        R(
                            "lesion_resize",
                            modalities=("xray",),
                            params={"lesion_resize": [{"radius": 6.0, "new_radius": 12.0, "contrast": 40.0}]},
                            paper_subtask="Early to Late",
                            observed_subtask="nodule growth",
                        ),
                        R(
                            "lesion_resize",
                            modalities=("photo",),
                            channels="rgb",
                            params={
                                "lesion_resize": [
                                    {
                                        "radius": 4.0,
                                        "new_radius": 8.0,
                                        "contrast": -60.0,
                                        "colour": [-40.0, -80.0, -60.0],
                                        "satellites": 2,
                                    }
                                ]
                            },
                            paper_subtask="Early to Late",
                            observed_subtask="haemorrhage progression",
                        ),
                    ),
                ),
            ),
        ),
        TaskSpec(
            "instruction_editing",
            "MultimodalGeneration/instruction-editing",
            "MMGeneration",
            "Multimodal Generation",
            GEN_IO,
            "Instruction editing",
            (
                Group(
                    (
                        R(
                            "lesion_insert",
                            modalities=("ct",),
                            params={
                                "lesion_insert": [{"radius": 8.0, "contrast": -45.0}, {"radius": 6.0, "contrast": 45.0}]
                            },
                            paper_subtask="Lesion Edit",
                            observed_subtask="lesion add",
                        ),
                        R(
                            "lesion_remove",
                            modalities=("ct",),
                            params={
                                "lesion_remove": [{"radius": 7.0, "contrast": -50.0}, {"radius": 9.0, "contrast": 40.0}]
                            },
                            paper_subtask="Lesion Edit",
                            observed_subtask="lesion remove",
                        ),
                        R(
                            "lesion_resize",
                            modalities=("ct",),
                            params={
                                "lesion_resize": [
                                    {"radius": 10.0, "new_radius": 5.0, "contrast": -45.0},
                                    {"radius": 5.0, "new_radius": 10.0, "contrast": 45.0},
                                ]
                            },
                            paper_subtask="Lesion Edit",
                            observed_subtask="lesion resize",
                        ),
                    ),
                    share=1.0,
                ),
                Group(
                    (
                        R(
                            "flip_horizontal",
                            modalities=("mri", "xray", "us", "pathology", "photo"),
                            paper_subtask="Global Edit",
                            observed_subtask="mirror",
                        ),
                        R(
                            "zoom_quadrant",
                            modalities=("mri", "xray", "us", "pathology", "photo"),
                            params={
                                "zoom_quadrant": [
                                    {"quadrant": "upper-left"},
                                    {"quadrant": "lower-right"},
                                    {"quadrant": "upper-right"},
                                ]
                            },
                            paper_subtask="Global Edit",
                            observed_subtask="zoom",
                        ),
                        R(
                            "gamma_adjust",
                            modalities=("mri", "xray", "us", "pathology", "photo"),
                            params={"gamma_adjust": [{"gamma": 0.6}, {"gamma": 1.6}]},
                            paper_subtask="Global Edit",
                            observed_subtask="brightness",
                        ),
                    ),
                    share=0.5,
                ),
            ),
        ),
        TaskSpec(
            "organ_removal",
            "MultimodalGeneration/organic-removal",
            "MMGeneration",
            "Multimodal Generation",
            GEN_IO,
            "Organ removal",
            (
                Group(
                    (
                        R(
                            "region_removal",
                            modalities=("ct", "xray", "mri"),
                            params={"region_removal": [{"region": "bright"}]},
                            observed_subtask="bright structure removal",
                        ),
                        R(
                            "region_removal",
                            modalities=("mri", "ct"),
                            params={"region_removal": [{"region": "dark"}]},
                            observed_subtask="dark structure removal",
                        ),
                        R(
                            "region_removal",
                            modalities=("photo",),
                            channels="rgb",
                            params={"region_removal": [{"region": "optic_disc"}]},
                            observed_subtask="optic disc removal",
                        ),
                    ),
                ),
            ),
        ),
        TaskSpec(
            "organ_reconstruction",
            "MultimodalGeneration/organic-reconstruction",
            "MMGeneration",
            "Multimodal Generation",
            GEN_IO,
            "Organ reconstruction",
            (
                Group(
                    (
                        R(
                            "region_restoration",
                            modalities=("ct", "xray", "mri"),
                            params={"region_restoration": [{"region": "bright"}]},
                            observed_subtask="bright structure restoration",
                        ),
                        R(
                            "region_restoration",
                            modalities=("mri", "ct"),
                            params={"region_restoration": [{"region": "dark"}]},
                            observed_subtask="dark structure restoration",
                        ),
                        R(
                            "region_restoration",
                            modalities=("photo",),
                            channels="rgb",
                            params={"region_restoration": [{"region": "optic_disc"}]},
                            observed_subtask="optic disc restoration",
                        ),
                    ),
                ),
            ),
        ),
        TaskSpec(
            "projection_3d_to_2d",
            "MultimodalGeneration/3d-to-2d-projection",
            "MMGeneration",
            "Multimodal Generation",
            GEN_IO,
            "3D to 2D projection",
            (
                Group(
                    (
                        R(
                            "max_intensity_projection",
                            params={"max_intensity_projection": [{"axis": 0}, {"axis": 1}, {"axis": 2}]},
                            observed_subtask="maximum-intensity projection",
                        ),
                        R(
                            "mean_intensity_projection",
                            params={"mean_intensity_projection": [{"axis": 1}, {"axis": 0}, {"axis": 2}]},
                            observed_subtask="mean-intensity projection",
                        ),
                    ),
                ),
            ),
        ),
        TaskSpec(
            "reconstruction_2d_to_3d",
            "MultimodalGeneration/2d-to-3d-reconstruction",
            "MMGeneration",
            "Multimodal Generation",
            GEN_IO,
            "2D to 3D reconstruction",
            (
                Group(
                    (
                        R(
                            "slice_views",
                            params={
                                "slice_views": [
                                    {"target_axis": 1, "position": 0.5},
                                    {"target_axis": 2, "position": 0.5},
                                    {"target_axis": 1, "position": 0.4},
                                    {"target_axis": 2, "position": 0.6},
                                    {"target_axis": 1, "position": 0.65},
                                ]
                            },
                            observed_subtask="orthogonal reformat",
                        ),
                    ),
                ),
            ),
        ),
    )
}

VQA_TASKS: dict[str, TaskSpec] = {
    t.name: t
    for t in (
        TaskSpec("multiple_choice", "VQA/multiple-choice", "VQA", "VQA", VQA_IO, "Multiple choice"),
        TaskSpec("blank_filling", "VQA/blank-filling", "VQA", "VQA", VQA_IO, "Blank filling"),
        TaskSpec("report_generation", "VQA/report-generation", "VQA", "VQA", VQA_IO, "Report generation"),
        TaskSpec("question_answering", "VQA/question-answering", "VQA", "VQA", VQA_IO, "Question answering"),
    )
}

ALL_TASKS: dict[str, TaskSpec] = {**VQA_TASKS, **IMAGE_TASKS}
TABLE_IV = {
    fmt: [t.paper_task for t in ALL_TASKS.values() if t.format_dir == fmt]
    for fmt in ("VQA", "ImageEditing", "MultimodalGeneration")
}
