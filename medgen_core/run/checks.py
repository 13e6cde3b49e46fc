"""What is checked before a run touches its folder: every metric exists, and the model can do every task.

Refusing a model for a task it cannot do happens before the model is called at all.

A task needs ``text_out`` and/or ``image_out`` by its output type, ``image_in``
when its samples carry input images, and ``multi_image_in`` when it says
``multi_image: required``. (With ``multi_image: native``, several images reach
a model that declares ``multi_image_in``; one that does not gets them tiled
into one labelled contact sheet.)
"""

from __future__ import annotations

from medgen_core.errors import MedgenError, UnknownName
from medgen_core.plugins import PluginHost
from medgen_core.run.stream import TaskPlan
from medgen_core.tasks.index import Selection
from medgen_core.types import ModelInfo, Sample

OUTPUT_NEEDS = {"text": ("text_out",), "image": ("image_out",), "text+image": ("text_out", "image_out")}


def task_needs(plan: TaskPlan, first: Sample | None) -> list[str]:
    spec = plan.instance.spec
    needs = list(OUTPUT_NEEDS[spec.output_type])
    if first is not None and first.input_images:
        needs.append("image_in")
    if spec.multi_image == "required":
        needs.append("multi_image_in")
    return needs


def check_capabilities(model: ModelInfo, needs: dict[str, list[str]]) -> None:
    """``needs``: task label -> capabilities; raise one message listing every task the model cannot do."""
    problems = [
        f"task {label!r} needs {', '.join(missing)}"
        for label, wanted in needs.items()
        if (missing := [c for c in wanted if c not in model.capabilities])
    ]
    if problems:
        have = ", ".join(sorted(model.capabilities)) or "none"
        raise MedgenError(
            f"model {model.name!r} (plugin {model.plugin!r}) cannot run: " + "; ".join(problems) + f". It declares: "
            f"{have}. Choose another model or leave those tasks out."
        )


def check_metrics(selection: Selection, host: PluginHost) -> None:
    """Every metric a selected task lists is installed: a typo is an error with a suggestion, not an empty row."""
    for instance in selection.tasks:
        for entry in instance.spec.metric_list:
            try:
                host.metric(entry.metric)
            except UnknownName as exc:
                raise MedgenError(
                    f"task {instance.label!r} ({instance.path}): key 'metric_list': {exc} A metric comes from a "
                    "plugin: `medgen ls metrics` lists what is installed (pixel metrics: pip install medgen-pixel; "
                    "text metrics: pip install medgen-text)."
                ) from None
