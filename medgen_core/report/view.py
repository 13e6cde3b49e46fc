"""What a report renderer is given: the run, where the output goes, and the tables computed once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from medgen_core.report.problems import Problems, find_problems
from medgen_core.report.tables import Table, headline, per_modality, per_task
from medgen_core.results import LoadedRun


@dataclass
class RunReport:
    """A renderer's input for ``medgen report``: ``run`` (results and samples), ``output`` (the file being
    written, for relative links; None for the terminal) and the tables, built on first use."""

    run: LoadedRun
    output: Path | None = None

    @cached_property
    def headline(self) -> Table:
        return headline(self.run)

    @cached_property
    def per_task(self) -> Table:
        return per_task(self.run)

    @cached_property
    def per_modality(self) -> Table:
        return per_modality(self.run)

    @cached_property
    def problems(self) -> Problems:
        return find_problems(self.run)
