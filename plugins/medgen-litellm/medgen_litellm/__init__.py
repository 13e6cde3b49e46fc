"""medgen-litellm: the litellm layer medgen plugins share (the vlm judge, the API models).

It is a library, not a medgen plugin: it registers nothing. Importing it is
cheap; litellm (seconds to import) loads at the first call.

- :mod:`.client`: :class:`LiteLLMClient`, batches of chat or image calls with bounded concurrency,
  retries, timeouts, usage and cost, a budget and an optional response cache.
- :mod:`.images`: images as data URIs no larger than ``max_side``.
- :mod:`.keys`: keys from environment variables only; key-like arguments refused; messages scrubbed.
- :mod:`.cache`: the on-disk reply cache shared by run folders.
- :mod:`.abilities`: what litellm's model table says a model string can do (chat, vision, image endpoints).
- :mod:`.replies`: the JSON object a model was asked for, found inside its reply.
- :mod:`.testing`: a scripted OpenAI-compatible server on 127.0.0.1 for tests and benchmarks.
"""

from medgen_litellm.abilities import Abilities, model_abilities
from medgen_litellm.cache import ResponseCache, cache_key, default_cache_dir
from medgen_litellm.client import CallFailed, CallResult, ChatCall, ClientSettings, ImageCall, LiteLLMClient
from medgen_litellm.images import image_bytes, image_data_uri, image_part, labelled_image_parts, text_part
from medgen_litellm.keys import api_key_from_env, provider_key_variable, refuse_key_arguments, scrub
from medgen_litellm.replies import find_json_object
from medgen_litellm.retry import RetryPolicy
from medgen_litellm.usage import Budget, Usage

__version__ = "0.1.0"

__all__ = [
    "Abilities",
    "Budget",
    "CallFailed",
    "CallResult",
    "ChatCall",
    "ClientSettings",
    "ImageCall",
    "LiteLLMClient",
    "ResponseCache",
    "RetryPolicy",
    "Usage",
    "api_key_from_env",
    "cache_key",
    "default_cache_dir",
    "find_json_object",
    "image_bytes",
    "image_data_uri",
    "image_part",
    "labelled_image_parts",
    "model_abilities",
    "provider_key_variable",
    "refuse_key_arguments",
    "scrub",
    "text_part",
]
