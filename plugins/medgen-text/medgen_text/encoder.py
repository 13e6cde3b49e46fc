"""The resident BERTScore encoder: one model per process, length-sorted batches, cached reference embeddings.

Numerics follow bert_score 0.3.13 exactly: the same tokenizer call (strip, special tokens, truncation at
the model's maximum length, ``[CLS] [SEP]`` for an empty string), the model cut to ``num_layers`` layers
and its last hidden state, each token vector divided by its L2 norm, and weight 1 for every token except
``[CLS]``/``[SEP]`` (bert_score's idf dict when ``idf=False``).
"""

from __future__ import annotations

import bisect
import os
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

# Padded tokens per forward pass: big enough for efficient matmuls, small enough that the attention
# scores of 512-token texts stay in cache-sized chunks and memory stays flat in the number of pairs.
TOKEN_BUDGET = 8192
# Most attention score entries per head in one batch (texts x length^2): four 512-token texts, so the
# attention matrices of long reports stay small and peak memory does not grow with the number of pairs.
ATTENTION_BUDGET = 4 * 512 * 512
# Fixed cost of one forward pass, in tokens' worth of work (Python and kernel launch overhead).
BATCH_OVERHEAD_TOKENS = 256
# Length at which attention costs as much as the dense layers per token (about 9 x hidden for BERT shapes).
ATTENTION_TOKENS = 2300
# Batch shapes the model may see. oneDNN keeps one cached primitive per distinct input shape, so free
# (texts x length) shapes make memory grow with the number of pairs scored; padding each batch's length up
# to a width of this grid and using only these batch sizes bounds the shapes whatever the number of pairs.
# Four widths per octave (8, 10, 12, 14, 16, 20, ...) keep padding under 25%; the grid ends at the model's
# maximum length.
WIDTHS_PER_OCTAVE = 4
MIN_WIDTH = 8
# Batch sizes: powers of two (fewer shapes than a finer grid, measured lower memory at 4,000 pairs), and a
# user batch_size off the grid (one more size).
BATCH_COUNTS = tuple(2**k for k in range(13))


@dataclass
class Embedded:
    """One text's unit-norm token vectors (T x D) and normalised token weights (T), or empty=True."""

    vectors: Any
    weights: Any
    empty: bool

    @property
    def nbytes(self) -> int:
        vectors, weights = self.vectors, self.weights
        return vectors.element_size() * vectors.nelement() + weights.element_size() * weights.nelement()


@dataclass
class EncoderStats:
    """What the encoder did, for FLOP and throughput accounting."""

    sequences: int = 0
    tokens: int = 0  # real (non-padding) tokens
    padded_tokens: int = 0  # tokens including padding, as fed to the model
    attention_pairs: int = 0  # sum of squared real lengths (attention FLOPs scale with it)
    forward_seconds: float = 0.0
    batches: int = 0
    shapes: set[tuple[int, int]] = field(default_factory=set)  # distinct (texts, padded length) fed to the model

    def flops(self, hidden: int, intermediate: int, layers: int) -> float:
        """Model FLOPs for the real tokens: dense layers plus attention scores and mixing."""
        dense = 2 * self.tokens * (4 * hidden * hidden + 2 * hidden * intermediate)
        attention = 4 * self.attention_pairs * hidden
        return float(layers * (dense + attention))


class ReferenceCache:
    """LRU map (model folder, layer, text) -> Embedded, bounded in bytes so memory stays flat."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._data: OrderedDict[tuple[str, int, str], Embedded] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[str, int, str]) -> Embedded | None:
        found = self._data.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self._data.move_to_end(key)
        return found

    def put(self, key: tuple[str, int, str], value: Embedded) -> None:
        if key in self._data or value.nbytes > self.max_bytes:
            return
        self._data[key] = value
        self.bytes += value.nbytes
        while self.bytes > self.max_bytes:
            _, old = self._data.popitem(last=False)
            self.bytes -= old.nbytes

    def clear(self) -> None:
        self._data.clear()
        self.bytes = 0
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._data)


def _release_freed_memory() -> None:
    """Hand freed heap pages back to the OS (glibc keeps them after batches of varying shapes).

    Without this, peak RSS creeps up with the number of batches scored although nothing is kept.
    """
    global _MALLOC_TRIM
    if _MALLOC_TRIM is None:
        try:
            import ctypes

            _MALLOC_TRIM = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _MALLOC_TRIM = False
    if _MALLOC_TRIM:
        _MALLOC_TRIM(0)


_MALLOC_TRIM: Any = None


def _cap_threads(torch: Any) -> None:
    """Never run more torch threads than the cores this process may use."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if torch.get_num_threads() > cores:
        torch.set_num_threads(cores)


class Encoder:
    """A tokenizer and a model cut to ``num_layers`` layers, loaded once and kept for the process."""

    def __init__(self, folder: str, num_layers: int, device: str) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer, GPT2Tokenizer, RobertaTokenizer

        _cap_threads(torch)
        self.torch = torch
        self.folder = folder
        self.num_layers = num_layers
        self.device = device
        self.tokenizer = AutoTokenizer.from_pretrained(folder, use_fast=False)  # bert_score's default call
        model = AutoModel.from_pretrained(folder)
        model.eval()
        if hasattr(model, "decoder") and hasattr(model, "encoder"):
            model = model.encoder
        self.model = _cut_layers(model, num_layers).to(device)
        config = model.config
        self.hidden = int(config.hidden_size)
        self.intermediate = int(getattr(config, "intermediate_size", 4 * self.hidden))
        tok_max = int(self.tokenizer.model_max_length)
        # A tokenizer without a recorded limit reports ~1e30; then the position table is the limit.
        self.max_length = tok_max if tok_max < 100_000 else int(config.max_position_embeddings)
        self.widths = width_grid(self.max_length)
        self.extra_kwargs = (
            {"add_prefix_space": True} if isinstance(self.tokenizer, (GPT2Tokenizer, RobertaTokenizer)) else {}
        )
        self.special_ids = [i for i in (self.tokenizer.cls_token_id, self.tokenizer.sep_token_id) if i is not None]
        self.pad_id = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        self.dtype = str(next(self.model.parameters()).dtype).replace("torch.", "")
        self.stats = EncoderStats()

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids exactly as bert_score's ``sent_encode`` makes them."""
        stripped = [t.strip() for t in texts]
        nonempty = [t for t in stripped if t]
        encoded = iter(
            self.tokenizer(
                nonempty, add_special_tokens=True, max_length=self.max_length, truncation=True, **self.extra_kwargs
            )["input_ids"]
            if nonempty
            else []
        )
        # bert_score calls build_inputs_with_special_tokens([]), which transformers 5 no longer has;
        # encoding "" with special tokens gives the same [CLS] [SEP].
        empty = list(self.tokenizer("", add_special_tokens=True)["input_ids"])
        return [list(next(encoded)) if t else list(empty) for t in stripped]

    def embed(self, texts: list[str], batch_size: int) -> list[Embedded]:
        """Embed texts longest first, in batches of similar length and bounded shapes (see :func:`plan_batches`)."""
        torch = self.torch
        ids = self.token_ids(texts)
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]), reverse=True)
        out: list[Embedded | None] = [None] * len(texts)
        with torch.inference_mode():
            for start, stop, width in plan_batches([len(ids[i]) for i in order], batch_size, self.widths):
                chunk = order[start:stop]
                for i, emb in zip(chunk, self._forward([ids[i] for i in chunk], width), strict=True):
                    out[i] = emb
        _release_freed_memory()
        return out  # type: ignore[return-value]

    def _forward(self, batch: list[list[int]], width: int) -> list[Embedded]:
        """Encode one batch padded to ``width`` tokens; the attention mask keeps padding out of every value."""
        torch = self.torch
        lens = [len(x) for x in batch]
        width = max(width, *lens)
        input_ids = torch.full((len(batch), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, x in enumerate(batch):
            input_ids[row, : len(x)] = torch.tensor(x, dtype=torch.long)
            mask[row, : len(x)] = 1
        t0 = time.perf_counter()
        hidden = self.model(input_ids.to(self.device), attention_mask=mask.to(self.device))[0]
        hidden = hidden.float() if hidden.dtype != torch.float32 else hidden
        hidden.div_(torch.norm(hidden, dim=-1).unsqueeze(-1))
        hidden = hidden.cpu() if hidden.device.type != "cpu" else hidden
        self.stats.forward_seconds += time.perf_counter() - t0
        self.stats.sequences += len(batch)
        self.stats.batches += 1
        self.stats.shapes.add((len(batch), width))
        self.stats.tokens += sum(lens)
        self.stats.padded_tokens += len(batch) * width
        self.stats.attention_pairs += sum(n * n for n in lens)
        result = []
        for row, x in enumerate(batch):
            weights = torch.ones(len(x), dtype=torch.float32)
            ids_row = input_ids[row, : len(x)]
            for special in self.special_ids:
                weights[ids_row == special] = 0.0
            total = float(weights.sum())
            vectors = hidden[row, : len(x)].clone()  # clone: a view would pin the whole batch in memory
            result.append(Embedded(vectors, weights / total if total > 0 else weights, empty=total <= 0))
        return result


def width_grid(max_length: int) -> list[int]:
    """The padded lengths a batch may have: WIDTHS_PER_OCTAVE steps per doubling from MIN_WIDTH, then max_length."""
    widths = []
    octave = MIN_WIDTH
    while octave < max_length:
        step = max(1, octave // WIDTHS_PER_OCTAVE)
        widths.extend(w for w in range(octave, 2 * octave, step) if w < max_length)
        octave *= 2
    widths.append(max_length)
    return widths


def batch_counts(batch_size: int) -> list[int]:
    """The numbers of texts a batch may hold: the BATCH_COUNTS grid below ``batch_size``, and ``batch_size``."""
    return [c for c in BATCH_COUNTS if c < batch_size] + [batch_size]


def plan_batches(
    lengths: list[int], batch_size: int, widths: list[int], budget: int = TOKEN_BUDGET
) -> list[tuple[int, int, int]]:
    """Split lengths sorted longest first into (start, stop, padded width) batches of bounded shapes.

    A batch holds a number of texts from :func:`batch_counts` and is padded to the first of ``widths`` that fits
    its longest text (a text longer than every width keeps its own length), so the model sees few distinct
    shapes. Each batch costs BATCH_OVERHEAD_TOKENS plus its padded tokens (weighted for attention, which grows
    with length) and holds at most ``budget`` padded tokens (a single longer text still gets its own batch).
    Dynamic programming over the sorted lengths finds the cheapest split.
    """
    n = len(lengths)
    padded = [widths[bisect.bisect_left(widths, x)] if x <= widths[-1] else x for x in lengths]
    counts = batch_counts(batch_size)
    best = [0.0] + [float("inf")] * n  # best[j]: cheapest cost of the first j texts
    cut = [0] * (n + 1)
    for j in range(1, n + 1):
        for count in counts:  # batch = lengths[j - count : j], padded to padded[j - count]
            i = j - count
            if i < 0:
                break
            width = padded[i]
            if count > 1 and (count * width > budget or count * width * width > ATTENTION_BUDGET):
                break
            cost = best[i] + BATCH_OVERHEAD_TOKENS + count * width * (1 + width / ATTENTION_TOKENS)
            if cost < best[j]:
                best[j], cut[j] = cost, i
    batches = []
    j = n
    while j > 0:
        batches.append((cut[j], j, padded[cut[j]]))
        j = cut[j]
    return batches[::-1]


def _cut_layers(model: Any, num_layers: int) -> Any:
    """Keep the first ``num_layers`` transformer layers, as bert_score's ``get_model`` does."""
    import torch

    for owner, attr in (("encoder", "layer"), ("transformer", "layer"), (None, "layers"), (None, "layer")):
        parent = getattr(model, owner) if owner else model
        if parent is None or not hasattr(parent, attr) or not isinstance(getattr(parent, attr), torch.nn.ModuleList):
            continue
        layers = getattr(parent, attr)
        if not 0 <= num_layers <= len(layers):
            raise ValueError(f"num_layers must be between 0 and {len(layers)}, not {num_layers}")
        setattr(parent, attr, torch.nn.ModuleList(list(layers[:num_layers])))
        return model
    raise ValueError(f"cannot cut layers of a {type(model).__name__}: no encoder.layer / transformer.layer list")


_ENCODERS: dict[tuple[str, int, str], Encoder] = {}
REFERENCE_CACHE = ReferenceCache(max_bytes=512 * 2**20)


def get_encoder(folder: str, num_layers: int, device: str) -> Encoder:
    """The process-wide encoder for (model folder, layers, device), loaded on first use."""
    key = (os.path.realpath(folder), num_layers, device)
    if key not in _ENCODERS:
        _ENCODERS[key] = Encoder(folder, num_layers, device)
    return _ENCODERS[key]


def clear_encoders() -> None:
    """Drop resident models and cached references (benchmarks and tests measuring cold starts)."""
    _ENCODERS.clear()
    REFERENCE_CACHE.clear()
