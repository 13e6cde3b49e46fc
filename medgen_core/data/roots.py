"""Where a run's data comes from: the bundled sample, a local folder, or the Hugging Face hub."""

from __future__ import annotations

import re
from pathlib import Path

from medgen_core.paths import bundled_sample_root
from medgen_core.tasks.spec import OFFICIAL_DATASET
from medgen_core.types import MedgenError

_HUB_ID = re.compile(r"^(hf://)?[A-Za-z0-9][\w.-]*/[\w.-]+$")


def resolve_data_root(arg: str | None) -> Path:
    """``None``: the bundled sample; an existing folder; else a hub dataset id (``hf://`` optional)."""
    if arg is None:
        root = bundled_sample_root()
        if not root.is_dir():
            raise MedgenError(
                f"the bundled sample benchmark is missing ({root}); pass --data_root DIR, "
                f"or --data_root {OFFICIAL_DATASET} to download the official release"
            )
        return root
    path = Path(arg).expanduser()
    if path.is_dir():
        return path.resolve()
    if _HUB_ID.match(arg) and not arg.startswith((".", "/", "~")):
        return download_from_hub(arg.removeprefix("hf://"))
    raise MedgenError(f"--data_root: no such folder: {arg} (nor a Hugging Face dataset id like {OFFICIAL_DATASET})")


def download_from_hub(repo_id: str) -> Path:
    """The dataset's files, fetched once into the Hugging Face cache (needs the network once)."""
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise MedgenError("loading from the hub needs huggingface_hub: pip install 'medgen[hub]'") from None
    try:
        return Path(snapshot_download(repo_id=repo_id, repo_type="dataset"))
    except Exception as exc:  # offline, unknown repo, auth: all end the same way for the user
        raise MedgenError(
            f"cannot get dataset {repo_id!r} from the Hugging Face hub ({type(exc).__name__}: {exc}). "
            f"Download it where there is a network with `hf download {repo_id} --repo-type dataset "
            f"--local-dir DIR`, then pass --data_root DIR."
        ) from None
