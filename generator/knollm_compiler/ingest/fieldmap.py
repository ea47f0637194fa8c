"""Which source keys mean what. Matching is by the key's own name (the last segment of its dotted path),
wherever it sits in the record, so listings we have never seen are understood when their keys resemble
known ones. Order inside a tuple is preference: the first key found wins."""

from __future__ import annotations

import re

ID_KEYS = ("id", "model_id", "model", "slug", "name")
NAME_KEYS = ("display_name", "name", "clean_name", "title", "label")
CONTEXT_KEYS = (
    "context_length", "context_window", "max_context_length", "max_model_len", "max_input_tokens",
    "input_token_limit", "inputtokenlimit", "context_size", "max_context", "max_sequence_length",
    "max_context_tokens", "n_ctx", "context",
)
MAX_OUTPUT_KEYS = (
    "max_completion_tokens", "max_output_tokens", "max_output_length", "output_token_limit",
    "outputtokenlimit", "max_output", "max_tokens", "completion", "limit.output",
)
KIND_KEYS = ("type", "mode", "model_type", "task", "pipeline_tag")
QUANT_KEYS = ("quantization", "quant", "precision", "dtype")
CREATED_KEYS = ("created", "created_at", "release_date", "released_at", "released")
DEPRECATION_KEYS = ("deprecation_date", "deprecation", "deprecated_at", "sunset_date", "retirement_date")
DESCRIPTION_KEYS = ("description", "tagline", "summary")
OWNER_KEYS = ("owned_by", "organization", "owner", "author", "publisher")
INPUT_MODALITY_KEYS = ("input_modalities", "supported_modalities", "modalities.input")
OUTPUT_MODALITY_KEYS = ("output_modalities", "supported_output_modalities", "modalities.output")
MODALITY_ARROW_KEYS = ("modality",)  # "text+image->text"
UPSTREAM_KEYS = ("providers", "endpoints", "upstreams")
OPEN_WEIGHTS_KEYS = ("open_weights", "open_source", "is_open_weights")
KNOWLEDGE_KEYS = ("knowledge", "knowledge_cutoff", "training_cutoff")

KIND_VALUES = {
    "chat": "chat", "completion": "chat", "completions": "chat", "language": "chat", "text": "chat",
    "llm": "chat", "text-generation": "chat", "text_generation": "chat", "code": "chat", "responses": "chat",
    "chat-completion": "chat", "chat_completion": "chat", "conversational": "chat",
    "embedding": "embedding", "embeddings": "embedding", "embed": "embedding", "text-embedding": "embedding",
    "feature-extraction": "embedding", "sentence-similarity": "embedding",
    "image": "image", "image_generation": "image", "image-generation": "image", "text-to-image": "image",
    "audio": "audio", "audio_transcription": "audio", "audio_speech": "audio", "transcribe": "audio",
    "transcription": "audio", "tts": "audio", "stt": "audio", "speech": "audio", "text-to-speech": "audio",
    "automatic-speech-recognition": "audio", "speech-to-text": "audio",
    "rerank": "rerank", "reranker": "rerank", "reranking": "rerank", "text-ranking": "rerank",
    "moderation": "moderation", "moderations": "moderation",
    "video_generation": "other", "video": "other", "ocr": "other",
}

# Values of kind-like keys that say something else (object type, base vs fine-tuned).
NOT_KIND_VALUES = frozenset({"model", "base", "fine-tuned", "finetuned", "custom", "hf_base_model"})

# Boolean keys -> capability. A declared false is kept: it is information too.
CAPABILITY_FLAGS = {
    "supports_tools": "tools", "supports_function_calling": "tools", "function_calling": "tools",
    "tool_call": "tools", "tool_use": "tools", "tools": "tools", "supports_tool_choice": "tools",
    "parallel_tool_call": "parallel_tools", "supports_parallel_function_calling": "parallel_tools",
    "supports_vision": "vision", "supports_image_input": "vision", "vision": "vision", "image_input": "vision",
    "json_mode": "json_mode", "supports_json_mode": "json_mode",
    "structured_output": "structured_output", "structured_outputs": "structured_output",
    "supports_structured_output": "structured_output", "supports_response_schema": "structured_output",
    "supports_reasoning": "reasoning", "reasoning": "reasoning",
    "supports_streaming": "streaming", "streaming": "streaming", "supports_native_streaming": "streaming",
    "fine_tuning": "fine_tuning", "supports_fine_tuning": "fine_tuning",
    "supports_prompt_caching": "prompt_caching", "prompt_caching": "prompt_caching",
    "supports_web_search": "web_search", "web_search": "web_search",
    "supports_audio_input": "audio_input", "audio": "audio_input", "supports_audio_output": "audio_output",
    "supports_pdf_input": "pdf_input", "completion_fim": "fim", "fim": "fim",
    "supports_computer_use": "computer_use", "supports_system_messages": "system_messages",
}
# Boolean keys that say what kind a model is (when true).
KIND_FLAGS = {
    "supports_chat": "chat", "completion_chat": "chat", "moderation": "moderation", "ocr": "other",
    "supports_embedding_image_input": "embedding",
}
# List-valued keys whose items name features; items -> capability.
FEATURE_LIST_KEYS = ("supported_parameters", "supported_features", "features", "capabilities", "tags",
                     "functionality")
FEATURE_VALUES = {
    "tools": "tools", "tool_choice": "tools", "function_calling": "tools", "tool_use": "tools",
    "tool_calling": "tools", "functions": "tools",
    "parallel_tool_calls": "parallel_tools",
    "response_format": "json_mode", "json_mode": "json_mode", "json": "json_mode",
    "structured_outputs": "structured_output", "structured_output": "structured_output",
    "reasoning": "reasoning", "include_reasoning": "reasoning", "reasoning_effort": "reasoning",
    "thinking": "reasoning",
    "vision": "vision", "image_input": "vision",
    "web_search_options": "web_search", "web_search": "web_search",
    "stream": "streaming", "streaming": "streaming",
    "prompt_cache": "prompt_caching", "prompt_caching": "prompt_caching", "fine_tuning": "fine_tuning",
}

# Keys we understand and deliberately do not publish (so they are not reported as unknown).
KNOWN_UNUSED = frozenset({
    "object", "permission", "root", "parent", "hot", "public", "active", "running", "config", "link",
    "license", "chute_id", "gpu_count", "supported_gpus", "min_vram_gb_per_gpu", "active_instances",
    "total_instances", "invocation_count", "is_gated", "available_on_current_plan", "model_class",
    "number_of_inference_nodes", "public_apps", "hugging_face_id", "hugging_face_url", "canonical_slug",
    "per_request_limits", "instruct_format", "tokenizer", "instruct_type", "is_moderated", "template",
    "backend", "base_model", "url", "known_to_horde", "worker_threads", "default_model_temperature",
    "aliases", "deprecation_replacement_model", "policy", "supported_sampling_parameters", "source",
    "rpm", "tpm", "rpd", "supported_regions", "supported_endpoints", "status", "provider", "litellm_provider",
    "architecture", "kind", "size", "owned_by_org", "sn_metadata", "classification", "temperature",
    "last_updated", "interleaved", "family", "attachment",
})

# Subtrees describing other modes of a model (models.dev's `experimental.modes.fast`), not the model itself.
IGNORED_SUBTREES = frozenset({"experimental"})

PRICE_PATH = re.compile(r"pric|cost", re.IGNORECASE)
PRICE_CONTAINERS = frozenset({"pricing", "price", "prices", "cost", "costs"})
"""Keys that hold an object of prices: any other value there (`"pricing": "free"`, a list) is a problem."""
CURRENCY_LEAVES = frozenset({"usd"})
OTHER_CURRENCY_LEAVES = frozenset({"tao", "eur", "cny", "credits"})
TIER = re.compile(r"_above_(\d+)k_tokens$")
TIER_SEGMENT = re.compile(r"^context_(?:over|above)_(\d+)k$")  # models.dev: cost.context_over_200k.input

# Price key words that name things we do not publish as token prices (per second, per character, ...).
UNPUBLISHED_PRICE_WORDS = (
    "audio", "character", "second", "pixel", "video", "query", "dbu", "db_cost", "batch", "hourly", "base",
    "finetune", "web_search", "search", "file_", "vector_store", "computer_use", "code_interpreter",
    "citation", "response_time", "unit_type", "cancel", "1k_calls", "session",
)

# Non-token prices, recognised by words in the key's own name before UNPUBLISHED_PRICE_WORDS applies.
# Time units -> hours per unit, the factor to USD per hour (the published unit: every source unit converts by
# multiplication, so exactly).
TIME_UNITS = {"second": 3600, "minute": 60, "hour": 1}
TIME_KEY = re.compile(r"(?:^|_)(?:per_)?(second|minute|hour)s?$")  # per_second, duration_per_hour, audio_hours
CHARACTER_WORDS = ("character", "mchar")
QUERY_WORDS = ("query", "queries", "rerank", "searches_kcount")
WEB_SEARCH_WORDS = ("web_search",)
# A search-context price object keyed by size (`search_context_cost_per_query.search_context_size_medium`):
# the medium size is the default of the APIs that price sizes apart, so it is the one published.
SEARCH_CONTEXT_PARENT = "search_context_cost_per_query"
SEARCH_CONTEXT_DEFAULT = "medium"
# Words that keep a key out of the non-token prices (video seconds, pixel prices, audio cache prices).
NOT_NON_TOKEN_WORDS = ("video", "pixel", "cache", "batch", "dbu", "file_", "vector_store", "cancel")
# Audio-token keys: `input_cost_per_audio_token`, models.dev's `input_audio`, a price object's bare `audio`.
AUDIO_TOKEN_KEY = re.compile(r"^(?:(input|output|prompt|completion)_)?(?:cost_per_)?audio(?:_tokens?)?$|audio_token")
# Kind values that say which way an audio model converts: speech-to-text reads audio and writes text, so an
# audio *output* price beside it is a catalog's mirror of the input price (and the reverse for text-to-speech).
SPEECH_TO_TEXT_VALUES = frozenset({"audio_transcription", "transcribe", "transcription", "stt", "speech-to-text",
                                   "automatic-speech-recognition"})
TEXT_TO_SPEECH_VALUES = frozenset({"audio_speech", "tts", "text-to-speech"})
