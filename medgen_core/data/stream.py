"""Records of any dataset through ``datasets``: streamed one at a time, images left undecoded.

Streaming (the default) keeps memory flat however large the dataset, and
writes no Arrow cache. Image features arrive as ``{bytes, path}`` exactly as
stored (decoding is switched off), so medgen checks every image path itself
and hashes the stored bytes. ``datasets`` is imported here, at first use only.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from medgen_core.data.source import DatasetSource, imported_datasets
from medgen_core.types import MedgenError


@contextmanager
def _torch_left_out(datasets: Any) -> Iterator[None]:
    """Creating a streamed dataset makes ``datasets`` import torch (seconds, ~800 MB) only to share an epoch
    counter with DataLoader workers. medgen reads in one process, so torch stays out unless already loaded."""
    if "torch" in sys.modules or not datasets.config.TORCH_AVAILABLE:
        yield
        return
    datasets.config.TORCH_AVAILABLE = False
    try:
        yield
    finally:
        datasets.config.TORCH_AVAILABLE = True


def open_dataset(source: DatasetSource, who: str, columns: list[str] | None = None) -> Any:
    """The split as an iterable dataset with image decoding off; ``columns`` projects Parquet reads."""
    datasets = imported_datasets()
    with _torch_left_out(datasets):
        return _open(datasets, source, who, columns)


def _open(datasets: Any, source: DatasetSource, who: str, columns: list[str] | None) -> Any:
    extra = {"columns": columns} if columns is not None else {}
    try:
        loaded = datasets.load_dataset(
            source.path, source.name, split=source.split, streaming=source.streaming, **source.kwargs, **extra
        )
    except ValueError as exc:
        if "split" in str(exc).lower():
            raise MedgenError(
                f"{who}: key 'test_split': {exc} (in {source.label}). Set test_split, or name the split in "
                f"dataset_kwargs.data_files, e.g. {{test: data.jsonl}}"
            ) from None
        raise MedgenError(f"{who}: cannot load dataset {source.label}: {exc}") from None
    except Exception as exc:  # offline, unknown loader, bad kwargs, unreadable files: all end here for the user
        raise MedgenError(f"{who}: cannot load dataset {source.label} ({type(exc).__name__}: {exc})") from None
    if not source.streaming:
        loaded = loaded.to_iterable_dataset()
    return loaded.decode(False) if loaded.features else loaded  # unknown features (CSV): nothing decodes


def image_columns(features: Any) -> list[str]:
    """Columns holding images (an ``Image`` feature, alone or in a list)."""
    if not features:
        return []
    return [name for name, feature in features.items() if "Image(" in repr(feature)]


def stream_records(source: DatasetSource, who: str, without_images: bool = False) -> tuple[list[str], Any]:
    """(the columns, and an iterator of records); ``without_images`` drops image columns.

    Where ``datasets`` does not know the features before reading (CSV), the first record names the columns.
    """
    dataset = open_dataset(source, who)
    features = dataset.features
    if without_images and image_columns(features):
        with _torch_left_out(imported_datasets()):
            dataset = dataset.remove_columns(image_columns(features))
    records = _guarded(dataset, source, who)
    if features:
        return list(features), records
    first = next(records, None)
    if first is None:
        return [], iter(())
    return list(first), itertools.chain([first], records)


def _guarded(dataset: Any, source: DatasetSource, who: str) -> Iterator[dict[str, Any]]:
    """Each record; a failure to read the files (not one record) ends the task with a clear message."""
    iterator = iter(dataset)
    index = 0
    while True:
        try:
            record = next(iterator)
        except StopIteration:
            return
        except Exception as exc:
            raise MedgenError(
                f"{who}: cannot read {source.label} at record {index} ({type(exc).__name__}: {exc})"
            ) from None
        yield record
        index += 1
