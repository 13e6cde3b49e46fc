"""Stage 3 (image tasks): instruction and answer templates filled with image-specific detail.

Every instruction names the modality, technique, anatomy and plane of the real
source, the transform's own effect phrase and its parameters, and measured
facts about the pair (region position and area, sizes), so the text is tied
to this image rather than generic. Transforms from other plugins get the same
treatment from their ``effect`` phrase (or their registered description).
"""

from __future__ import annotations

from typing import Any

from medgen_build.sources import Source


def subject(source: Source) -> str:
    """'axial non-contrast head CT' style phrase from the source's facts."""
    return source.facts.get("caption") or source.row.get("description", "medical image")


def _findings(source: Source) -> str:
    found = source.facts.get("findings") or []
    return "; ".join(found)


def _effect(meta: dict[str, Any], info: dict[str, Any]) -> str:
    if meta.get("effect"):
        return str(meta["effect"])
    params = ", ".join(f"{k}={v}" for k, v in sorted((meta.get("params") or {}).items()))
    return f"{info.get('description', 'a transform').rstrip('.')} ({params})"


def _size(shape: tuple[int, ...]) -> str:
    return f"{shape[1]}x{shape[0]} px"


def _context(source: Source) -> str:
    bits = [f"modality {source.facts.get('modality_text', source.modality)}"]
    for key in ("technique", "plane", "stain"):
        if source.facts.get(key):
            bits.append(f"{key} {source.facts[key]}")
    if _findings(source):
        bits.append(f"known finding: {_findings(source)}")
    return "; ".join(bits)


def image_task_text(
    task: str, source: Source, meta: dict[str, Any], info: dict[str, Any], target_shape: tuple[int, ...]
) -> tuple[str, str]:
    """(instruction, answer) for an image-editing or generation task."""
    subj, ctx, effect = subject(source), _context(source), _effect(meta, info)
    anatomy = source.facts.get("anatomy", "anatomy")
    size = _size(target_shape)
    where = meta.get("where", "")
    area = meta.get("area_percent")
    region = meta.get("region", "the region")
    fn = _TEMPLATES.get(task)
    if fn is None:
        raise KeyError(f"no template for task {task!r}")
    return fn(
        subj=subj,
        ctx=ctx,
        effect=effect,
        anatomy=anatomy,
        size=size,
        where=where,
        area=area,
        region=region,
        meta=meta,
        source=source,
    )


def _noise(subj, ctx, effect, anatomy, size, **_):
    return (
        f"This {subj} ({ctx}) is degraded by {effect}. Remove the noise and return the clean {size} image, "
        f"keeping the {anatomy} edges and fine structures unchanged.",
        f"A clean {subj} at {size} with the {effect.split(' (')[0]} removed and the {anatomy} preserved.",
    )


def _resolution(subj, ctx, effect, anatomy, size, meta, **_):
    small = meta.get("input_size")
    got = f"{small[0]}x{small[1]} px" if small else "low resolution"
    return (
        f"This {subj} ({ctx}) was {effect}. Super-resolve it from {got} back to {size}, restoring the "
        f"fine detail of the {anatomy} without inventing structures.",
        f"The {subj} at full resolution ({size}), with sharp {anatomy} detail.",
    )


def _contrast(subj, ctx, effect, anatomy, size, **_):
    return (
        f"This {subj} ({ctx}) has poor contrast: {effect}. Enhance the contrast so the {anatomy} "
        f"is clearly delineated; output a {size} image.",
        f"The {subj} with its full original contrast restored: the {anatomy} clearly delineated.",
    )


def _artifact(subj, ctx, effect, anatomy, size, **_):
    return (
        f"This {subj} ({ctx}) is corrupted by {effect}. Remove the artifact and return the {size} image "
        f"as it would look without it, with the {anatomy} unchanged.",
        f"The artifact-free {subj} ({size}); {anatomy} unchanged.",
    )


def _style(subj, ctx, effect, anatomy, size, meta, **_):
    style = meta.get("style", effect)
    return (
        f"Convert this {subj} ({ctx}) to the {style} style: {effect}. Keep the {anatomy} geometry "
        f"identical and output a {size} image.",
        f"The same {subj} shown in the {style} style.",
    )


def _annotation(subj, ctx, effect, anatomy, size, where, area, region, **_):
    return (
        f"On this {subj} ({ctx}), {effect}. The region lies in the {where} and covers about {area}% of the "
        f"image. Return the annotated {size} image.",
        f"The {subj} with {region} marked ({where}, about {area}% of the image).",
    )


def _removal(subj, ctx, effect, anatomy, size, where, area, region, **_):
    return (
        f"Remove {region} from this {subj} ({ctx}). It lies in the {where} and covers about {area}% of the "
        f"image; fill the area with plausible surrounding tissue, then describe what was removed.",
        f"{region[0].upper()}{region[1:]} in the {where} (about {area}% of the image) was removed and the area "
        f"filled with surrounding tissue; the rest of the {anatomy} is unchanged.",
    )


def _reconstruction(subj, ctx, effect, anatomy, size, where, area, region, **_):
    return (
        f"In this {subj} ({ctx}), {region} in the {where} (about {area}% of the image) has been removed and "
        f"replaced by surrounding tissue. Reconstruct the missing structure and describe it.",
        f"{region[0].upper()}{region[1:]} is restored in the {where}, covering about {area}% of the image, "
        f"consistent with the surrounding {anatomy}.",
    )


def _progression(subj, ctx, effect, anatomy, size, where, meta, **_):
    d1, d2 = meta.get("diameter_px"), meta.get("new_diameter_px")
    sat = meta.get("satellites", 0)
    more = f" and {sat} new small satellite lesion(s) appear" if sat else ""
    return (
        f"This {subj} ({ctx}) shows a {meta.get('lesion', 'lesion')} about {d1} px across in the {where}. "
        f"Predict the follow-up image at a later stage of progression and describe the change.",
        f"At follow-up the {meta.get('lesion', 'lesion')} in the {where} has grown from about {d1} px to about "
        f"{d2} px in diameter{more}; the surrounding {anatomy} is unchanged.",
    )


def _instruction_edit(subj, ctx, effect, anatomy, size, **_):
    return (
        f"Edit this {subj} ({ctx}): {effect}. Keep everything else unchanged, return the edited image and "
        f"describe the edit.",
        f"Edited {subj}: {effect}; all other {anatomy} content unchanged.",
    )


def _projection(subj, ctx, effect, anatomy, size, meta, **_):
    shape = "x".join(str(v) for v in meta.get("volume_shape", []))
    n = meta.get("n_slices")
    return (
        f"The input shows {n} evenly spaced slices of a {subj} (volume {shape} voxels; {ctx}). Produce the "
        f"{effect} of the whole volume as one {size} image and describe what it shows.",
        f"A {meta.get('plane', '')} {effect} of the {anatomy}: every voxel along the projection axis "
        f"collapsed into one {size} view.",
    )


def _reconstruction3d(subj, ctx, effect, anatomy, size, meta, **_):
    shape = "x".join(str(v) for v in meta.get("volume_shape", []))
    n = meta.get("n_slices")
    return (
        f"The input shows {n} axial slices of a {subj} (volume {shape} voxels; {ctx}). Reconstruct the 3-D "
        f"volume from them and render the {meta.get('plane')} view at "
        f"{meta['params'].get('position', 0.5):.0%} of its extent; describe the view.",
        f"The {effect}: a {meta.get('plane')} section of the {anatomy} with superior at the top.",
    )


_TEMPLATES = {
    "noise_reconstruction": _noise,
    "resolution_editing": _resolution,
    "contrast_enhancement": _contrast,
    "artifact_removal": _artifact,
    "style_transfer": _style,
    "anatomical_annotation": _annotation,
    "organ_removal": _removal,
    "organ_reconstruction": _reconstruction,
    "disease_prediction": _progression,
    "instruction_editing": _instruction_edit,
    "projection_3d_to_2d": _projection,
    "reconstruction_2d_to_3d": _reconstruction3d,
}
