"""SDK clients whose API is a tree of resources: ``client.chat.completions.create(...)``.

The LLM and AI service SDKs of 2026 (openai, anthropic, groq, mistralai, cohere, ollama,
google-genai, huggingface_hub's inference clients) expose one client class per mode: a
sync client whose every API method is an HTTP request, and an async client whose API
methods are coroutine functions.  The methods sit under resource attributes
(``client.beta.threads.runs.create``), so one table row per method would be thousands
of rows; a *tree* names the client type once.

A call matches a tree when the resolver typed its receiver chain as that client
(``client = OpenAI()``, ``client: OpenAI``, ``self.client = Anthropic()``) and every
attribute after it is a public lowercase name (no call in between: ``client.with_options(
timeout=5).chat...`` is of unknown type).  Unknown receivers never match.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class ClientTree:
    """One client type's API methods."""

    #: the library's async counterpart, for the advice (sync trees)
    advice: str
    #: a sync client (methods block) or an async one (methods make coroutines)
    sync: bool
    #: final method names that do no request: client helpers, wrappers and closers
    #: (sync trees); for async trees, ``methods`` lists the coroutine methods instead
    exceptions: frozenset[str] = frozenset()
    #: async trees: the final method names that are coroutine functions (others, such
    #: as ``list()`` paginators or ``stream()`` managers, are used without ``await``)
    methods: frozenset[str] = frozenset()
    #: attributes that lead into a different tree (``client.aio`` of google-genai)
    leaves: frozenset[str] = frozenset()


#: wrappers that return the client or a view of it, and local helpers: no request
_SYNC_HELPERS: Final = frozenset({
    "close", "copy", "with_options", "with_raw_response", "with_streaming_response",
    "platform_headers", "auth_headers", "default_headers", "qs",
})
#: the coroutine methods of the openai/anthropic style async clients (paginating
#: ``list()`` and streaming ``stream()`` return objects used without ``await``)
_ASYNC_RESOURCE_METHODS: Final = frozenset({
    "cancel", "content", "count_tokens", "create", "create_and_poll", "delete", "parse",
    "poll", "retrieve", "retrieve_content", "update", "upload", "upload_and_poll",
})


def _sync(advice: str, exceptions: frozenset[str] = _SYNC_HELPERS,
          leaves: frozenset[str] = frozenset()) -> ClientTree:
    return ClientTree(advice=advice, sync=True, exceptions=exceptions, leaves=leaves)


def _async(methods: frozenset[str] = _ASYNC_RESOURCE_METHODS) -> ClientTree:
    return ClientTree(advice="", sync=False, methods=methods)


_OLLAMA_METHODS: Final = frozenset({
    "chat", "copy", "create", "delete", "embed", "embeddings", "generate", "list", "ps",
    "pull", "push", "show",
})
_GENAI_METHODS: Final = frozenset({
    "compute_tokens", "count_tokens", "delete", "embed_content", "generate_content",
    "generate_images", "generate_videos", "get", "update", "upload",
})

#: huggingface_hub's inference tasks (AsyncInferenceClient: each a coroutine function),
#: and the OpenAI-style ``client.chat.completions.create``
_HUGGINGFACE_METHODS: Final = frozenset({
    "audio_classification", "audio_to_audio", "automatic_speech_recognition",
    "chat_completion", "close", "create", "document_question_answering",
    "feature_extraction", "fill_mask", "get_endpoint_info", "health_check",
    "image_classification", "image_segmentation", "image_to_image", "image_to_text",
    "image_to_video", "object_detection", "question_answering", "sentence_similarity",
    "summarization", "table_question_answering", "tabular_classification",
    "tabular_regression", "text_classification", "text_generation", "text_to_image",
    "text_to_speech", "text_to_video", "token_classification", "translation",
    "visual_question_answering", "zero_shot_classification",
    "zero_shot_image_classification",
})

#: client instance type (as the resolver spells it) -> its tree
CLIENT_TREES: Final[Mapping[str, ClientTree]] = {
    **{client: _sync("openai.AsyncOpenAI (await its methods)") for client in (
        "openai.OpenAI()", "openai.AzureOpenAI()", "openai.Client()")},
    **{client: _async() for client in (
        "openai.AsyncOpenAI()", "openai.AsyncAzureOpenAI()", "openai.AsyncClient()")},
    **{client: _sync("anthropic.AsyncAnthropic (await its methods)") for client in (
        "anthropic.Anthropic()", "anthropic.Client()", "anthropic.AnthropicBedrock()",
        "anthropic.AnthropicVertex()")},
    **{client: _async() for client in (
        "anthropic.AsyncAnthropic()", "anthropic.AsyncClient()",
        "anthropic.AsyncAnthropicBedrock()", "anthropic.AsyncAnthropicVertex()")},
    "groq.Groq()": _sync("groq.AsyncGroq (await its methods)"),
    "groq.AsyncGroq()": _async(),
    "ollama.Client()": _sync("ollama.AsyncClient (await its methods)",
                             exceptions=frozenset({"close"})),
    "ollama.AsyncClient()": _async(_OLLAMA_METHODS),
    "google.genai.Client()": _sync("client.aio, google-genai's async API (await its methods)",
                                   leaves=frozenset({"aio"})),
    "google.genai.Client().aio": _async(_GENAI_METHODS),
    "huggingface_hub.InferenceClient()": _sync(
        "huggingface_hub.AsyncInferenceClient (await its methods)"),
    "huggingface_hub.AsyncInferenceClient()": _async(_HUGGINGFACE_METHODS),
}
#: openai's module-level client (``openai.chat.completions.create(...)`` after
#: ``import openai``): its resources, as the first attribute after the module
_OPENAI_MODULE_RESOURCES: Final = frozenset({
    "audio", "batches", "beta", "chat", "completions", "containers", "embeddings", "evals",
    "files", "fine_tuning", "images", "models", "moderations", "responses", "uploads",
    "vector_stores",
})
#: the top-level packages whose clients the trees describe (the checks' prefilters)
CLIENT_MODULES: Final = frozenset(client.partition(".")[0] for client in CLIENT_TREES)


def client_method(ref: str) -> tuple[str, ClientTree] | None:
    """``(client type, tree)`` when ``ref`` (a resolved callee such as
    ``openai.OpenAI().chat.completions.create``) is an API method of a client tree."""
    head, separator, rest = ref.partition("().")
    if not separator:
        module, _, rest = ref.partition(".")
        if module != "openai" or rest.partition(".")[0] not in _OPENAI_MODULE_RESOURCES:
            return None
        head = "openai.OpenAI"  # the module's default client: a sync openai.OpenAI
    client = head + "()"
    tree = CLIENT_TREES.get(client)
    if tree is None:
        return None
    parts = rest.split(".")
    if tree.leaves and parts[0] in tree.leaves:
        # google.genai.Client().aio.models.generate_content: the async tree
        client = f"{client}.{parts[0]}"
        tree = CLIENT_TREES.get(client)
        parts = parts[1:]
        if tree is None or not parts:
            return None
    if any(not part or part.startswith("_") or not part.islower() or "(" in part
           for part in parts):
        return None  # a private helper, a class, or a call in the chain: unknown
    if "with_streaming_response" in parts:
        return None  # a context manager: the request is made on entering it
    method = parts[-1]
    if tree.sync:
        return None if method in tree.exceptions else (client, tree)
    return (client, tree) if method in tree.methods else None
