"""The error every data reader raises for one bad record (it becomes that sample's recorded failure)."""

from __future__ import annotations

from medgen_core.types import MedgenError


class RecordError(MedgenError):
    """One record that cannot become a sample; the message names the file, the record and the field."""
