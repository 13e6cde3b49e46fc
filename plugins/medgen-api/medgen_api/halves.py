"""One half of the compositional pipeline: any registered model, built by name and asked in its own batches.

Whatever the half is (``api``, ``api_image``, ``classical``, a local model from
another plugin), it is built as ``--model`` builds it and answers one output or
exception per request; a batch that raises is asked again one request at a
time, so one bad request fails alone, as in the run itself.
"""

from __future__ import annotations

import time
from typing import Any

from medgen_litellm import refuse_key_arguments

from medgen_api.spec import parse_spec
from medgen_core import BudgetExhausted, MedgenError, ModelOutput, ModelRequest, load_model, model_info


class Half:
    """``role`` (``vlm`` or ``image``) built from a spec; ``needs`` is the capability it must declare."""

    def __init__(self, role: str, spec: Any, needs: str, where: str) -> None:
        option = f"{where} {role}"
        self.role = role
        self.name, self.args = parse_spec(spec, option)
        if self.name.lower() == "compose":
            raise MedgenError(f"{option}: a half of compose cannot be compose itself")
        refuse_key_arguments(
            self.args, option, self.args.get("model") if isinstance(self.args.get("model"), str) else None
        )
        declared = declared_capabilities(self.name)  # checked before anything is built
        if needs not in declared:
            raise MedgenError(
                f"{option}: model {self.name!r} lacks {needs} (it declares {', '.join(sorted(declared)) or 'none'}); "
                f"the {role} half must produce {'text' if needs == 'text_out' else 'images'}"
            )
        self.model = load_model(self.name, **self.args)

    def predict(self, requests: list[ModelRequest]) -> list[tuple[ModelOutput | BaseException, float]]:
        """(output or exception, seconds per request of its batch) per request, in order."""
        size = max(1, int(getattr(self.model, "batch_size", 1) or 1))
        out: list[tuple[ModelOutput | BaseException, float]] = []
        for start in range(0, len(requests), size):
            batch = requests[start : start + size]
            began = time.perf_counter()
            results = self._ask(batch)
            latency = (time.perf_counter() - began) / len(batch)
            out += [(self._checked(r), latency) for r in results]
        return out

    def _ask(self, batch: list[ModelRequest]) -> list[Any]:
        try:
            results = list(self.model.predict(batch))
            if len(results) == len(batch):
                return results
            error: BaseException = MedgenError(f"returned {len(results)} results for {len(batch)} requests")
        except Exception as exc:  # the half's own bug or a transport error
            error = exc
        if len(batch) == 1:
            return [error]
        return [self._ask([request])[0] for request in batch]

    def _checked(self, result: Any) -> ModelOutput | BaseException:
        if isinstance(result, BudgetExhausted):
            return result
        if isinstance(result, BaseException):
            return MedgenError(f"the {self.role} half ({self.name}) failed: {type(result).__name__}: {result}")
        if not isinstance(result, ModelOutput):
            return MedgenError(f"the {self.role} half ({self.name}) returned {type(result).__name__}, not ModelOutput")
        return result

    def describe(self) -> dict[str, Any]:
        described = self.model.describe() if callable(getattr(self.model, "describe", None)) else {}
        return {"name": self.name, **described}

    def close(self) -> None:
        if callable(getattr(self.model, "close", None)):
            self.model.close()


def declared_capabilities(name: str) -> frozenset[str]:
    """The capabilities model ``name`` was registered with (an unknown name is the core's clear error)."""
    return model_info(name).capabilities
