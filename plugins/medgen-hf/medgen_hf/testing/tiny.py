"""Tiny random-initialised checkpoints, built offline from configs, for tests and benchmarks.

They are saved with ``save_pretrained`` and loaded by path exactly as a real
checkpoint would be, so every code path (processor, chat template, batched
``generate``, Janus's image mode) runs for real in well under a second per
call on a CPU. Their answers are noise: tests check shapes, types, sizes and
determinism, never content.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CORPUS = [
    "The chest radiograph shows no acute cardiopulmonary abnormality.",
    "Answer with the letter of the correct option. A. CT B. MRI C. X-ray D. Ultrasound",
    "Axial CT of the abdomen with contrast: the liver, kidneys and pancreas are normal.",
    "FINDINGS: a small nodule in the right upper lobe. IMPRESSION: follow-up is advised.",
    "user assistant system image question answer",
]
QWEN_SPECIAL = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|image_pad|>",
    "<|video_pad|>",
]
QWEN_CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n"
    "{% if m['content'] is string %}{{ m['content'] }}{% else %}{% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif c['type'] == 'text' %}{{ c['text'] }}{% endif %}{% endfor %}{% endif %}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
JANUS_SPECIAL = [
    "<｜begin▁of▁sentence｜>",
    "<｜end▁of▁sentence｜>",
    "<｜▁pad▁｜>",
    "<image_placeholder>",
    "<begin_of_image>",
    "<end_of_image>",
]
JANUS_CHAT_TEMPLATE = (
    "{% for m in messages %}{% if m['role'] == 'user' %}<|User|>: {% else %}<|Assistant|>: {% endif %}"
    "{% if m['content'] is string %}{{ m['content'] }}{% else %}{% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}<image_placeholder>{% elif c['type'] == 'text' %}{{ c['text'] }}{% endif %}"
    "{% endfor %}{% endif %}\n\n{% endfor %}{% if add_generation_prompt %}<|Assistant|>:{% endif %}"
)
JANUS_IMAGE_TOKENS = 16  # a 4x4 grid of VQ codes
JANUS_IMAGE_SIZE = 32  # what the tiny VQ decoder draws from them


def byte_level_bpe(special: list[str], vocab_size: int = 400) -> Any:
    """A byte-level BPE tokenizer trained on a few medical sentences (any text encodes)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=special, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tokenizer.train_from_iterator(CORPUS * 10, trainer)
    return tokenizer


def build_qwen2_vl(folder: Path, version: str = "2", seed: int = 0) -> Path:
    """A ~200k-parameter Qwen2-VL (``version="2"``) or Qwen2.5-VL (``"2.5"``) checkpoint in ``folder``."""
    import torch
    from transformers import (
        Qwen2TokenizerFast,
        Qwen2VLImageProcessor,
        Qwen2VLVideoProcessor,
    )

    tokenizer = Qwen2TokenizerFast(
        tokenizer_object=byte_level_bpe(QWEN_SPECIAL),
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token=None,
        bos_token=None,
    )
    ids = {token: tokenizer.convert_tokens_to_ids(token) for token in QWEN_SPECIAL}
    text = {
        "vocab_size": len(tokenizer),
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "rope_parameters": {"rope_type": "default", "mrope_section": [2, 3, 3], "rope_theta": 10000.0},
        "bos_token_id": None,
        "eos_token_id": ids["<|im_end|>"],
        "pad_token_id": ids["<|endoftext|>"],
    }
    vision: dict[str, Any] = {"depth": 2, "num_heads": 2, "patch_size": 14, "spatial_merge_size": 2}
    tokens = {
        "image_token_id": ids["<|image_pad|>"],
        "video_token_id": ids["<|video_pad|>"],
        "vision_start_token_id": ids["<|vision_start|>"],
        "vision_end_token_id": ids["<|vision_end|>"],
    }
    image_processor = Qwen2VLImageProcessor(min_pixels=3136, max_pixels=12544)  # at most 8x8 patches per image
    if version == "2":
        from transformers import Qwen2VLConfig as Config
        from transformers import Qwen2VLForConditionalGeneration as Model
        from transformers import Qwen2VLProcessor as Processor

        vision.update(embed_dim=32, hidden_size=64, mlp_ratio=2)
    elif version == "2.5":
        from transformers import Qwen2_5_VLConfig as Config
        from transformers import Qwen2_5_VLForConditionalGeneration as Model
        from transformers import Qwen2_5_VLProcessor as Processor

        vision.update(hidden_size=32, intermediate_size=64, out_hidden_size=64, fullatt_block_indexes=[1])
    else:
        raise ValueError(f"version must be '2' or '2.5', not {version!r}")
    processor = Processor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        video_processor=Qwen2VLVideoProcessor(),
        chat_template=QWEN_CHAT_TEMPLATE,
    )
    torch.manual_seed(seed)
    model = Model(Config(text_config=text, vision_config=vision, **tokens))
    _set_generation_config(model, eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"])
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


def build_janus(folder: Path, seed: int = 0) -> Path:
    """A ~600k-parameter Janus-Pro checkpoint: image+text -> text, and text -> 32x32 image."""
    import torch
    from transformers import (
        JanusConfig,
        JanusForConditionalGeneration,
        JanusImageProcessor,
        JanusProcessor,
        PreTrainedTokenizerFast,
    )

    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=byte_level_bpe(JANUS_SPECIAL),
        bos_token=JANUS_SPECIAL[0],
        eos_token=JANUS_SPECIAL[1],
        pad_token=JANUS_SPECIAL[2],
        extra_special_tokens={
            "image_token": JANUS_SPECIAL[3],
            "boi_token": JANUS_SPECIAL[4],
            "eoi_token": JANUS_SPECIAL[5],
        },
    )
    ids = [tokenizer.convert_tokens_to_ids(token) for token in JANUS_SPECIAL]
    bos, eos, pad, image, boi, _ = ids
    config = JanusConfig(
        text_config={
            "model_type": "llama",
            "vocab_size": len(tokenizer),
            "hidden_size": 64,
            "intermediate_size": 128,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "max_position_embeddings": 512,
            "bos_token_id": bos,
            "eos_token_id": eos,
            "pad_token_id": pad,
        },
        vision_config={
            "image_size": 32,
            "patch_size": 8,
            "num_image_tokens": JANUS_IMAGE_TOKENS,
            "hidden_size": 32,
            "projection_dim": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "mlp_ratio": 2,
        },
        vq_config={
            "embed_dim": 8,
            "num_embeddings": 32,
            "latent_channels": 8,
            "base_channels": 32,  # GroupNorm has 32 groups
            "channel_multiplier": [1, 1, 1, 1],  # 4x4 codes -> 32x32 pixels
            "num_patches": 4,
            "projection_dim": 64,  # = the text hidden size
            "image_token_embed_dim": 64,
        },
        image_token_id=image,
    )
    processor = JanusProcessor(
        image_processor=JanusImageProcessor(size={"height": 32, "width": 32}, min_size=8),
        tokenizer=tokenizer,
        chat_template=JANUS_CHAT_TEMPLATE,
        num_image_tokens=JANUS_IMAGE_TOKENS,
    )
    torch.manual_seed(seed)
    model = JanusForConditionalGeneration(config)
    _set_generation_config(
        model,
        bos_token_id=bos,
        eos_token_id=eos,
        pad_token_id=pad,
        guidance_scale=5.0,
        generation_kwargs={"boi_token_id": boi, "num_image_tokens": JANUS_IMAGE_TOKENS},
    )
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


def _set_generation_config(model: Any, **values: Any) -> None:
    """A generation config saved as a real checkpoint's is (one derived from the model config drops extras)."""
    from transformers import GenerationConfig

    model.generation_config = GenerationConfig(**values)
