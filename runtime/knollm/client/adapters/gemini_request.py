"""The Gemini `generateContent` request body for a canonical (OpenAI-shaped) request.

- `system`/`developer` messages → `systemInstruction`; user → role `user`, assistant → role `model`; contents
  become `parts` (`text`; `image_url` → `inlineData` for data URLs, `fileData` otherwise). Consecutive turns of
  one role merge, since Gemini wants user and model to alternate.
- assistant `tool_calls` → `functionCall` parts (arguments parsed into `args`); `tool` messages →
  `functionResponse` parts in a user turn, named after the call they answer (Gemini matches responses by name);
  a result that is a JSON object is sent as the response, any other text as `{"result": text}`.
- `tools` → one `functionDeclarations` tool; parameters go in `parametersJsonSchema` (full JSON Schema, as
  OpenAI tools use it, where `parameters` accepts only an OpenAPI subset). `tool_choice` auto/none/required/
  {function} → `toolConfig.functionCallingConfig` AUTO/NONE/ANY/ANY with `allowedFunctionNames`.
- `generationConfig`: `maxOutputTokens`, `temperature`, and from `extra` `stop` → `stopSequences`, `top_p` →
  `topP`, `top_k` → `topK`, `seed`, `n` → `candidateCount`, `presence_penalty`, `frequency_penalty`;
  `response_format` json_object → `responseMimeType: application/json`, json_schema → also
  `responseJsonSchema` (full JSON Schema, like `parametersJsonSchema`).
- OpenAI-only `extra` keys in `OPENAI_ONLY` are dropped; any other key (`safetySettings`, `cachedContent`, ...)
  is passed through unchanged.
"""

from __future__ import annotations

import orjson

from ..errors import UnsupportedRequest
from ..target import Target
from ..types import ChatRequest, JSONObject, JSONValue
from .values import arguments_object, as_list, as_obj, as_str, data_url, json_list

GENERATION = {
    "stop": "stopSequences", "top_p": "topP", "top_k": "topK", "seed": "seed", "n": "candidateCount",
    "presence_penalty": "presencePenalty", "frequency_penalty": "frequencyPenalty",
}
OPENAI_ONLY = frozenset({
    "stream_options", "parallel_tool_calls", "user", "logprobs", "top_logprobs", "logit_bias",
    "max_completion_tokens", "reasoning_effort", "modalities", "store",
})
_MODES = {"auto": "AUTO", "none": "NONE", "required": "ANY"}

Part = JSONObject


def build_body(request: ChatRequest, target: Target) -> JSONObject:
    """The JSON body of `generateContent` / `streamGenerateContent` for `request`."""
    system, contents = split_messages(request.messages, target)
    body: JSONObject = {"contents": json_list(contents)}
    if system:
        body["systemInstruction"] = {"parts": json_list(system)}
    if request.tools:
        body["tools"] = [{"functionDeclarations": [_declaration(tool) for tool in request.tools]}]
    if request.tool_choice is not None:
        body["toolConfig"] = {"functionCallingConfig": _calling_config(request.tool_choice)}
    config = _generation_config(request)
    if config:
        body["generationConfig"] = config
    for name, value in request.extra.items():
        if name not in GENERATION and name not in OPENAI_ONLY:
            body[name] = value
    return body


def _generation_config(request: ChatRequest) -> JSONObject:
    config: JSONObject = {}
    if request.max_tokens is not None:
        config["maxOutputTokens"] = request.max_tokens
    if request.temperature is not None:
        config["temperature"] = request.temperature
    for name, gemini_name in GENERATION.items():
        value = request.extra.get(name)
        if value is not None:
            config[gemini_name] = [value] if name == "stop" and isinstance(value, str) else value
    kind = (request.response_format or {}).get("type")
    if kind in ("json_object", "json_schema"):
        config["responseMimeType"] = "application/json"
    if kind == "json_schema":
        schema = as_obj(request.response_format).get("json_schema")
        spec = as_obj(schema).get("schema")
        if not isinstance(spec, dict):
            raise UnsupportedRequest("response_format json_schema needs `json_schema.schema`, a JSON Schema object")
        config["responseJsonSchema"] = spec
    return config


def split_messages(messages: list[JSONObject], target: Target) -> tuple[list[Part], list[JSONObject]]:
    """(system parts, contents): the conversation as alternating Gemini turns."""
    system: list[Part] = []
    contents: list[JSONObject] = []
    names: dict[str, str] = {}  # tool call id → function name, for the functionResponse parts
    for position, message in enumerate(messages):
        role = message.get("role")
        if role in ("system", "developer"):
            system.extend(_parts(message.get("content")))
            continue
        if role == "tool":
            turn: JSONObject = {"role": "user", "parts": [_function_response(message, names)]}
        elif role == "user":
            turn = {"role": "user", "parts": json_list(_parts(message.get("content")))}
        elif role == "assistant":
            turn = {"role": "model", "parts": json_list(_model_parts(message, names, target, position))}
        else:
            raise UnsupportedRequest(f"message {position} has role {role!r}; use system, user, assistant or tool")
        if contents and contents[-1]["role"] == turn["role"]:
            contents[-1]["parts"] = [*as_list(contents[-1]["parts"]), *as_list(turn["parts"])]
        else:
            contents.append(turn)
    return system, contents


def _parts(content: JSONValue) -> list[Part]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"text": content}]
    return [_part(as_obj(part)) for part in as_list(content)]


def _part(part: JSONObject) -> Part:
    kind = part.get("type")
    if kind == "text":
        return {"text": as_str(part.get("text"))}
    if kind == "image_url":
        url = as_str(as_obj(part.get("image_url")).get("url"))
        inline = data_url(url)
        if inline is not None:
            return {"inlineData": {"mimeType": inline[0], "data": inline[1]}}
        return {"fileData": {"fileUri": url}}
    return part  # a Gemini-native part passes through


def _model_parts(message: JSONObject, names: dict[str, str], target: Target, position: int) -> list[Part]:
    parts = [part for part in _parts(message.get("content")) if part.get("text") != ""]
    for raw in as_list(message.get("tool_calls")):
        call = as_obj(raw)
        function = as_obj(call.get("function"))
        name = as_str(function.get("name"))
        names[as_str(call.get("id"))] = name
        try:
            args = arguments_object(function.get("arguments"))
        except (ValueError, orjson.JSONDecodeError):
            raise UnsupportedRequest(
                f"message {position}: tool call {as_str(call.get('id'))!r} has arguments that are not a JSON "
                f"object; Gemini ({target.provider}) needs an object. Fix the arguments text."
            ) from None
        parts.append({"functionCall": {"name": name, "args": args}})
    return parts


def _function_response(message: JSONObject, names: dict[str, str]) -> Part:
    call_id = as_str(message.get("tool_call_id"))
    content = message.get("content")
    text = content if isinstance(content, str) else "".join(as_str(p.get("text")) for p in _parts(content))
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        value = None
    response = value if isinstance(value, dict) else {"result": text}
    # Without the call in the history the id is the best name we have; Gemini will say if it does not match.
    return {"functionResponse": {"name": names.get(call_id, call_id), "response": response}}


def _declaration(tool: JSONObject) -> JSONObject:
    function = as_obj(tool.get("function"))
    if not function:
        raise UnsupportedRequest("Gemini tools must be OpenAI function tools: {'type': 'function', 'function': {...}}")
    out: JSONObject = {"name": as_str(function.get("name"))}
    if function.get("description"):
        out["description"] = function["description"]
    if function.get("parameters"):
        out["parametersJsonSchema"] = function["parameters"]
    return out


def _calling_config(choice: str | JSONObject) -> JSONObject:
    if isinstance(choice, str):
        if choice not in _MODES:
            raise UnsupportedRequest(f"tool_choice {choice!r}: use auto, none, required or a function")
        return {"mode": _MODES[choice]}
    name = as_str(as_obj(choice.get("function")).get("name"))
    return {"mode": "ANY", "allowedFunctionNames": [name]}
