"""Tiny random-initialised Stable Diffusion checkpoints, built offline, for tests and benchmarks.

A text-to-image pipeline and an InstructPix2Pix editor from a tiny UNet, VAE
(scale factor 2) and CLIP text encoder, saved with ``save_pretrained`` and
loaded by path as a real checkpoint would be. Their images are noise: tests
check sizes, modes and determinism, never content.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CLIP_SPECIAL = ["<|startoftext|>", "<|endoftext|>"]


def clip_tokenizer(folder: Path) -> Any:
    """A character-level CLIP tokenizer (a-z, with and without end-of-word marks); unknown characters are dropped."""
    from transformers import CLIPTokenizer

    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    vocab = {token: i for i, token in enumerate([*letters, *(f"{c}</w>" for c in letters), *CLIP_SPECIAL])}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    return CLIPTokenizer(
        str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=77, pad_token="<|endoftext|>"
    )


def _parts(folder: Path, seed: int) -> dict[str, Any]:
    import torch
    from diffusers import AutoencoderKL
    from transformers import CLIPTextConfig, CLIPTextModel

    tokenizer = clip_tokenizer(folder / "_tokenizer_files")
    torch.manual_seed(seed)
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(tokenizer),
            hidden_size=32,
            intermediate_size=37,
            num_hidden_layers=2,
            num_attention_heads=4,
            projection_dim=32,
            max_position_embeddings=77,
            bos_token_id=tokenizer.convert_tokens_to_ids("<|startoftext|>"),
            eos_token_id=tokenizer.convert_tokens_to_ids("<|endoftext|>"),
            pad_token_id=tokenizer.convert_tokens_to_ids("<|endoftext|>"),
        )
    )
    vae = AutoencoderKL(
        block_out_channels=(32, 64),
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
        latent_channels=4,
        norm_num_groups=32,
        sample_size=64,
    )
    return {"vae": vae, "text_encoder": text_encoder, "tokenizer": tokenizer}


def _unet(in_channels: int) -> Any:
    from diffusers import UNet2DConditionModel

    return UNet2DConditionModel(
        block_out_channels=(32, 64),
        layers_per_block=1,
        sample_size=32,
        in_channels=in_channels,
        out_channels=4,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=32,
        norm_num_groups=32,
        attention_head_dim=8,
    )


def _scheduler() -> Any:
    from diffusers import DDIMScheduler

    return DDIMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        clip_sample=False,
        set_alpha_to_one=False,
        steps_offset=1,
    )


def build_stable_diffusion(folder: Path, seed: int = 0) -> Path:
    """A tiny text-to-image Stable Diffusion checkpoint (64x64 by default)."""
    import torch
    from diffusers import StableDiffusionPipeline

    parts = _parts(folder.parent / f"{folder.name}-parts", seed)
    torch.manual_seed(seed + 1)
    pipe = StableDiffusionPipeline(
        **parts,
        unet=_unet(4),
        scheduler=_scheduler(),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.save_pretrained(folder)
    return folder


def build_instruct_pix2pix(folder: Path, seed: int = 0) -> Path:
    """A tiny InstructPix2Pix editor: the UNet also reads the input image's latents (8 input channels)."""
    import torch
    from diffusers import EulerAncestralDiscreteScheduler, StableDiffusionInstructPix2PixPipeline

    parts = _parts(folder.parent / f"{folder.name}-parts", seed)
    torch.manual_seed(seed + 1)
    pipe = StableDiffusionInstructPix2PixPipeline(
        **parts,
        unet=_unet(8),
        scheduler=EulerAncestralDiscreteScheduler.from_config(_scheduler().config),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.save_pretrained(folder)
    return folder
