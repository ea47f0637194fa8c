"""The Anthropic Messages request body for a canonical (OpenAI-shaped) request.

- `system` and `developer` messages are taken out into `system` (a string, or text blocks when any part is
  not plain text, e.g. carries `cache_control`).
- user/assistant contents stay strings when they are strings; parts become blocks (`text`, `image_url` → `image`
  with a base64 or URL source; Anthropic-native blocks pass through). Assistant `tool_calls` → `tool_use` blocks;
  `tool` messages → `tool_result` blocks in a user turn. Consecutive turns of one role merge into one turn,
  since Anthropic wants user and assistant to alternate.
- `tools` → `{name, description, input_schema}`; `tool_choice` auto/none/required/{function} →
  auto/none/any/tool; `parallel_tool_calls=False` → `disable_parallel_tool_use`.
- `response_format` json_schema → `output_config.format` (Anthropic's native structured outputs, so the answer is
  plain JSON text as with OpenAI); json_object → an instruction appended to `system`, since Anthropic has no JSON
  mode without a schema.
- `max_tokens` is required by Anthropic: `DEFAULT_MAX_TOKENS` (4096) when the request has none.
- `temperature`, `top_p`, `top_k` are rejected by API version 2026-10-21 (which we send, like the official SDK);
  they are sent only when the target's headers pin an older `anthropic-version`, and dropped otherwise.
- `stop` → `stop_sequences`; `user` → `metadata.user_id`; OpenAI-only parameters in `OPENAI_ONLY` are dropped;
  any other `extra` key (e.g. `thinking`, `service_tier`, `cache_control`) is passed through unchanged.
"""

from __future__ import annotations

import logging

import orjson

from ..errors import UnsupportedRequest
from ..target import Secret, Target
from ..types import ChatRequest, JSONObject, JSONValue
from .values import arguments_object, as_list, as_obj, as_str, data_url, json_list

API_VERSION = "2026-10-21"
"""The `anthropic-version` header sent unless the target's headers set another (the official SDK's default)."""
DEFAULT_MAX_TOKENS = 4096
JSON_OBJECT_INSTRUCTION = "Respond with a single valid JSON object and no other text."
SAMPLING = ("temperature", "top_p", "top_k")
OPENAI_ONLY = frozenset({
    "n", "seed", "presence_penalty", "frequency_penalty", "logprobs", "top_logprobs", "logit_bias",
    "stream_options", "parallel_tool_calls", "max_completion_tokens", "reasoning_effort", "modalities", "store",
})

log = logging.getLogger("knollm.client.anthropic")

Block = JSONObject


def anthropic_version(target: Target) -> str:
    for name, value in target.headers.items():
        if name.lower() == "anthropic-version":
            return value.reveal() if isinstance(value, Secret) else value  # the value sent (adapters.base)
    return API_VERSION


def build_body(request: ChatRequest, target: Target) -> JSONObject:
    """The JSON body of `POST /messages` for `request` at `target`."""
    system, messages = split_messages(request.messages, target)
    if request.response_format and request.response_format.get("type") == "json_object":
        system = _append_instruction(system, JSON_OBJECT_INSTRUCTION)
    body: JSONObject = {"model": target.model_id, "max_tokens": request.max_tokens or DEFAULT_MAX_TOKENS,
                        "messages": json_list(messages)}
    if system:
        body["system"] = system if isinstance(system, str) else json_list(system)
    if request.stream:
        body["stream"] = True
    if request.tools:
        body["tools"] = [_tool(tool) for tool in request.tools]
    choice = _tool_choice(request.tool_choice, request.extra.get("parallel_tool_calls"))
    if choice is not None:
        body["tool_choice"] = choice
    schema = _json_schema(request.response_format)
    if schema is not None:
        body["output_config"] = {"format": {"type": "json_schema", "schema": schema}}
    sampling: dict[str, JSONValue] = {"temperature": request.temperature}
    sampling.update({name: request.extra.get(name) for name in SAMPLING[1:]})
    if any(value is not None for value in sampling.values()):
        if anthropic_version(target) < API_VERSION:
            body.update({name: value for name, value in sampling.items() if value is not None})
        else:
            log.debug("not sending %s to %s: anthropic-version %s rejects sampling parameters",
                      ", ".join(n for n, v in sampling.items() if v is not None), target.provider, API_VERSION)
    _add_extra(body, request.extra)
    return body


def _add_extra(body: JSONObject, extra: JSONObject) -> None:
    for name, value in extra.items():
        if name in OPENAI_ONLY or name in SAMPLING:
            continue
        if name == "stop":
            body["stop_sequences"] = [value] if isinstance(value, str) else value
        elif name == "user":
            body["metadata"] = {**as_obj(body.get("metadata")), "user_id": value}
        else:
            body[name] = value


def split_messages(messages: list[JSONObject], target: Target) -> tuple[str | list[Block], list[JSONObject]]:
    """(system, turns): system text out of the conversation, the rest as alternating Anthropic turns."""
    system: list[Block] = []
    turns: list[JSONObject] = []
    for position, message in enumerate(messages):
        role = message.get("role")
        if role in ("system", "developer"):
            system.extend(_blocks(message.get("content")))
            continue
        if role == "tool":
            turn: JSONObject = {"role": "user", "content": [_tool_result(message)]}
        elif role in ("user", "assistant"):
            turn = {"role": role, "content": _content(message, target, position)}
        else:
            raise UnsupportedRequest(f"message {position} has role {role!r}; use system, user, assistant or tool")
        if turns and turns[-1]["role"] == turn["role"]:
            turns[-1]["content"] = _as_blocks(turns[-1]["content"]) + _as_blocks(turn["content"])
        else:
            turns.append(turn)
    return _system(system), turns


def _system(blocks: list[Block]) -> str | list[Block]:
    if all(set(block) == {"type", "text"} for block in blocks):
        return "\n\n".join(as_str(block["text"]) for block in blocks)
    return blocks


def _append_instruction(system: str | list[Block], instruction: str) -> str | list[Block]:
    if isinstance(system, str):
        return f"{system}\n\n{instruction}" if system else instruction
    return [*system, {"type": "text", "text": instruction}]


def _content(message: JSONObject, target: Target, position: int) -> JSONValue:
    content = message.get("content")
    calls = as_list(message.get("tool_calls"))
    if isinstance(content, str) and not calls:
        return content
    blocks: list[JSONValue] = [block for block in _blocks(content) if block.get("text") != ""]
    for raw in calls:
        call = as_obj(raw)
        function = as_obj(call.get("function"))
        try:
            arguments = arguments_object(function.get("arguments"))
        except (ValueError, orjson.JSONDecodeError):
            raise UnsupportedRequest(
                f"message {position}: tool call {as_str(call.get('id'))!r} has arguments that are not a JSON "
                f"object; Anthropic ({target.provider}) needs an object. Fix the arguments text."
            ) from None
        blocks.append({"type": "tool_use", "id": as_str(call.get("id")), "name": as_str(function.get("name")),
                       "input": arguments})
    return blocks


def _as_blocks(content: JSONValue) -> list[JSONValue]:
    return [{"type": "text", "text": content}] if isinstance(content, str) else list(as_list(content))


def _blocks(content: JSONValue) -> list[Block]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [_block(as_obj(part)) for part in as_list(content)]


def _block(part: JSONObject) -> Block:
    if part.get("type") != "image_url":
        return part  # text parts are already Anthropic text blocks; native blocks pass through
    url = as_str(as_obj(part.get("image_url")).get("url"))
    inline = data_url(url)
    if inline is not None:
        return {"type": "image", "source": {"type": "base64", "media_type": inline[0], "data": inline[1]}}
    return {"type": "image", "source": {"type": "url", "url": url}}


def _tool_result(message: JSONObject) -> Block:
    content = message.get("content")
    result: Block = {"type": "tool_result", "tool_use_id": as_str(message.get("tool_call_id"))}
    result["content"] = content if isinstance(content, str) else json_list(_blocks(content))
    return result


def _tool(tool: JSONObject) -> JSONObject:
    function = as_obj(tool.get("function")) if tool.get("type") == "function" else {}
    if not function:
        return tool  # an Anthropic-native tool (server tools, or already in Anthropic's shape)
    out: JSONObject = {"name": as_str(function.get("name"))}
    if function.get("description"):
        out["description"] = function["description"]
    out["input_schema"] = function.get("parameters") or {"type": "object", "properties": {}}
    return out


def _tool_choice(choice: JSONValue, parallel: JSONValue) -> JSONObject | None:
    out: JSONObject | None
    if choice is None:
        out = None
    elif choice == "auto":
        out = {"type": "auto"}
    elif choice == "none":
        out = {"type": "none"}
    elif choice == "required":
        out = {"type": "any"}
    else:
        name = as_str(as_obj(as_obj(choice).get("function")).get("name"))
        out = {"type": "tool", "name": name} if name else as_obj(choice)
    if parallel is False:
        out = {**(out or {"type": "auto"}), "disable_parallel_tool_use": True}
    return out


def _json_schema(response_format: JSONObject | None) -> JSONObject | None:
    if not response_format or response_format.get("type") != "json_schema":
        return None
    spec = as_obj(response_format.get("json_schema"))
    schema = spec.get("schema")
    if not isinstance(schema, dict):
        raise UnsupportedRequest("response_format json_schema needs `json_schema.schema`, a JSON Schema object")
    return schema
