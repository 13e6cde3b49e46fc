"""medgen-judge: the holistic tier of MedGEN-Bench, a vision-language model as judge (any model litellm reaches).

Registers the judge ``vlm`` and the command ``medgen calibrate``. Importing it
is cheap: litellm loads at the first judgement, scipy, scikit-learn and
pingouin when ``calibrate`` runs.
"""

from __future__ import annotations

from typing import Any

from medgen_core import hookimpl

__version__ = "0.1.0"


@hookimpl
def medgen_register_judges(register: Any) -> None:
    from medgen_judge.judge import VLMJudge

    register(
        "vlm",
        VLMJudge,
        description="A vision-language model as judge through litellm (GPT-4o, Gemini, Claude, vLLM-served "
        "MedGemma/Lingshu): Analyze-then-Judge, 1-10 per dimension. Args: model=..., see docs/judging.md.",
    )


@hookimpl
def medgen_register_commands(cli: Any) -> None:
    from medgen_judge.cli import calibrate

    cli.add_command(calibrate)
