"""BERTScore F1 as MedGEN-Bench reports it, with a resident model and cached reference embeddings."""

from __future__ import annotations

from typing import Any

from medgen_core.types import MedgenError, Score, ScoreFailure, ScoreItem
from medgen_text.common import prediction_or_failure, reference_or_failure, versions
from medgen_text.resolve import PUBMEDBERT, PUBMEDBERT_LAYER, resolve_model


def greedy_match(hyp: Any, ref: Any) -> tuple[float, float, float]:
    """Precision, recall and F1 of greedy cosine matching between two embedded texts (bert_score's rule)."""
    if hyp.empty or ref.empty:
        return 0.0, 0.0, 0.0  # bert_score: empty candidate or reference scores 0
    sim = hyp.vectors @ ref.vectors.T
    # bert_score zero-pads each batch and takes the max over the padding too, so a token whose cosine
    # similarities are all negative scores 0; flooring at 0 reproduces that without tying a sample's
    # score to its batch neighbours.
    precision = float((sim.max(dim=1).values.clamp_min(0.0) * hyp.weights).sum())
    recall = float((sim.max(dim=0).values.clamp_min(0.0) * ref.weights).sum())
    total = precision + recall
    f1 = 2 * precision * recall / total if total != 0 else 0.0
    return precision, recall, f1


class BERTScoreMetric:
    """BERTScore F1 of the prediction against ``sample.answer``; precision and recall go in the details."""

    def __init__(
        self,
        model: str = PUBMEDBERT,
        num_layers: int | None = None,
        batch_size: int = 128,
        device: str | None = None,
        ref_cache_mb: float = 512,
    ) -> None:
        if not isinstance(model, str) or not model:
            raise MedgenError(f"bertscore: model must be a Hugging Face id or a folder, not {model!r}")
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise MedgenError(f"bertscore: batch_size must be a positive integer, not {batch_size!r}")
        if not isinstance(ref_cache_mb, (int, float)) or ref_cache_mb < 0:
            raise MedgenError(f"bertscore: ref_cache_mb must be a number >= 0, not {ref_cache_mb!r}")
        self.resolved = resolve_model(model)
        if num_layers is None:
            num_layers = PUBMEDBERT_LAYER if model == PUBMEDBERT else self.resolved.num_hidden_layers
        if not isinstance(num_layers, int) or isinstance(num_layers, bool):
            raise MedgenError(f"bertscore: num_layers must be an integer, not {num_layers!r}")
        if not 0 <= num_layers <= self.resolved.num_hidden_layers:
            raise MedgenError(
                f"bertscore: num_layers must be between 0 and {self.resolved.num_hidden_layers} "
                f"for {self.resolved.short_name}, not {num_layers}"
            )
        self.num_layers = num_layers
        self.batch_size = batch_size
        self._device = device
        self.ref_cache_bytes = int(ref_cache_mb * 2**20)
        self.key = f"bertscore_f1[{self.resolved.short_name}@L{num_layers}]"

    @property
    def encoder(self) -> Any:
        """The process-wide encoder for this model and layer (loaded on first use)."""
        from medgen_text.encoder import REFERENCE_CACHE, get_encoder

        if self._device is None:
            import torch

            self._device = "cuda" if torch.cuda.is_available() else "cpu"
        REFERENCE_CACHE.max_bytes = max(REFERENCE_CACHE.max_bytes, self.ref_cache_bytes)
        return get_encoder(self.resolved.folder, self.num_layers, self._device)

    def _embed(self, hyps: list[str], refs: list[str]) -> dict[tuple[str, str], Any]:
        """Embeddings of every distinct text; references come from the cache when already seen."""
        from medgen_text.encoder import REFERENCE_CACHE

        encoder = self.encoder
        ckey = (encoder.folder, self.num_layers)
        found: dict[tuple[str, str], Any] = {}
        missing_refs = []
        for ref in dict.fromkeys(refs):
            hit = REFERENCE_CACHE.get((*ckey, ref)) if self.ref_cache_bytes else None
            if hit is None:
                missing_refs.append(ref)
            else:
                found[("ref", ref)] = hit
        texts = list(dict.fromkeys(missing_refs + [h for h in hyps if ("ref", h) not in found]))
        for text, emb in zip(texts, encoder.embed(texts, self.batch_size), strict=True):
            found[("text", text)] = emb
        for ref in missing_refs:
            found[("ref", ref)] = found[("text", ref)]
            if self.ref_cache_bytes:
                REFERENCE_CACHE.put((*ckey, ref), found[("ref", ref)])
        for hyp in hyps:
            found.setdefault(("text", hyp), found.get(("ref", hyp)))
        return found

    def score(self, items: list[ScoreItem]) -> list[Score | BaseException]:
        out: list[Score | BaseException | None] = [None] * len(items)
        pairs: list[tuple[int, str, str]] = []
        for i, item in enumerate(items):
            pred = prediction_or_failure(item)
            ref = reference_or_failure(item)
            if isinstance(pred, ScoreFailure):
                out[i] = pred
            elif isinstance(ref, ScoreFailure):
                out[i] = ref
            else:
                pairs.append((i, pred, ref))
        if pairs:
            embedded = self._embed([p for _, p, _ in pairs], [r for _, _, r in pairs])
            for i, pred, ref in pairs:
                precision, recall, f1 = greedy_match(embedded[("text", pred)], embedded[("ref", ref)])
                out[i] = Score(f1, {"precision": precision, "recall": recall})
        return out  # type: ignore[return-value]

    def describe(self) -> dict[str, Any]:
        return {
            "model": self.resolved.name,
            "model_folder": self.resolved.folder,
            "model_short_name": self.resolved.short_name,
            "num_layers": self.num_layers,
            "idf": False,
            "rescale_with_baseline": False,
            "truncation": "model maximum length (512 tokens for BERT models), as bert_score",
            "token_weights": "1 for every token, 0 for [CLS]/[SEP] (bert_score without idf)",
            "batch_size": self.batch_size,
            "device": self._device or "auto",
            "reference_cache_mb": self.ref_cache_bytes / 2**20,
            "matches": "bert_score.score(..., idf=False, rescale_with_baseline=False) F1 within 1e-5",
            "differences": [
                "a token's best cosine match is floored at 0 for every sample; bert_score gets that floor from "
                "its batch's zero padding, so it skips the floor for the longest text of each batch, which "
                "changes a score only when all of a token's similarities are negative",
                "empty strings score 0 as in bert_score (whose own empty-string path fails on transformers 5)",
            ],
            "versions": versions("torch", "transformers", "medgen-text"),
        }
