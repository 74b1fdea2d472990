"""Validate Bot API calls against the machine-readable spec (``spec/api.json``).

A call that names an unknown method, misses a required parameter, sends an unknown one or a value
of the wrong basic type is a bug in our bot: real Telegram would reject it (or, worse, silently
ignore the parameter), so the fake server answers 400/404 and records a violation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bot.sandbox.errors import ApiError
from bot.sandbox.models import Upload

SPEC_PATH = Path(__file__).with_name("spec") / "api.json"

# aiogram 3.31 speaks Bot API 10.3 while the spec is 10.1, and it still exposes a few deprecated
# parameters Telegram keeps accepting. Everything here is allowed on any method that has chat_id.
NEWER_PARAMS: dict[str, tuple[str, ...]] = {
    "reply_to_message_id": ("Integer",),
    "allow_sending_without_reply": ("Boolean",),
    "disable_web_page_preview": ("Boolean",),
    "callback_query_id": ("String",),
    "receiver_user_id": ("Integer",),
    "ephemeral_message_parameters": ("Object",),
}
# Fields of nested objects newer than the spec (type name -> field names).
NEWER_FIELDS: dict[str, frozenset[str]] = {
    "InlineKeyboardButton": frozenset({"disabled"}),
    "KeyboardButton": frozenset({"request_user"}),
    "BotCommand": frozenset({"is_ephemeral"}),
    "ReplyParameters": frozenset({"ephemeral_message_id"}),
    "InputTextMessageContent": frozenset({"disable_web_page_preview"}),
    "MenuButtonCommands": frozenset({"text", "web_app"}),
    "MenuButtonDefault": frozenset({"text", "web_app"}),
}
# Methods newer than the spec: known to Telegram, so not "404 Not Found".
NEWER_METHODS: tuple[str, ...] = (
    "deleteEphemeralMessage",
    "editEphemeralMessageCaption",
    "editEphemeralMessageMedia",
    "editEphemeralMessageReplyMarkup",
    "editEphemeralMessageText",
)

_INT_RE = re.compile(r"-?\d+")
_BOOL_WORDS = {"true": True, "false": False, "1": True, "0": False}
# Union members are told apart by a field whose description says 'must be chat' or 'always "x"'.
_DISCRIMINATORS = frozenset({"type", "status", "source"})
_CONST_RE = re.compile(r"(?:must be|always) \"?([a-z_]+)\"?$")
# aiogram sends plain strings where the spec has these objects, and Telegram accepts them.
_STRING_SHORTHANDS = frozenset({"InputPollOption", "KeyboardButton"})
_BASIC = frozenset({"Integer", "String", "Boolean", "Float", "True", "InputFile", "Object"})


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    types: tuple[str, ...]
    required: bool
    const: str | None = None  # the fixed value of a union member's "type" field

    @property
    def structured(self) -> bool:
        return any(t not in _BASIC for t in self.types)


@dataclass(frozen=True, slots=True)
class MethodSpec:
    name: str
    fields: Mapping[str, FieldSpec]
    required: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TypeSpec:
    name: str
    fields: Mapping[str, FieldSpec]
    subtypes: tuple[str, ...]


class _NestedError(Exception):
    pass


class ApiSpec:
    """The parsed spec with lookups prepared once, so per-call validation stays cheap."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.version: str = str(raw.get("version", "?"))
        self.types: dict[str, TypeSpec] = {}
        for name, t in raw["types"].items():
            fields = {f["name"]: _field(f) for f in t.get("fields", [])}
            self.types[name] = TypeSpec(name, fields, tuple(t.get("subtypes", [])))
        self.methods: dict[str, MethodSpec] = {}
        for name, m in raw["methods"].items():
            fields = {f["name"]: _field(f) for f in m.get("fields", [])}
            if "chat_id" in fields:
                for extra, types in NEWER_PARAMS.items():
                    fields.setdefault(extra, FieldSpec(extra, types, False))
            required = tuple(n for n, f in fields.items() if f.required)
            self.methods[name.lower()] = MethodSpec(name, fields, required)
        self.newer_methods = {n.lower(): n for n in NEWER_METHODS}
        self.reaction_emoji = _reaction_emoji(raw)

    @classmethod
    def load(cls, path: Path = SPEC_PATH) -> ApiSpec:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def method(self, name: str) -> MethodSpec | None:
        return self.methods.get(name.lower())

    def validate(self, spec: MethodSpec, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Return the parameters converted to Python values; raise ApiError on a bad call.

        ``raw`` holds form strings, uploads, or native JSON values (for JSON bodies).
        """
        params: dict[str, Any] = {}
        for name, value in raw.items():
            field = spec.fields.get(name)
            if field is None:
                raise ApiError(
                    400, f'Bad Request: unknown parameter "{name}" in {spec.name}', violation=True
                )
            if value is None:
                continue
            params[name] = self._convert(field, value)
        for name in spec.required:
            if name not in params:
                raise ApiError(400, _missing(name), violation=True)
        return params

    def _convert(self, field: FieldSpec, value: Any) -> Any:
        types = field.types
        if isinstance(value, Upload):
            if "InputFile" in types:
                return value
            raise _type_error(field)
        if isinstance(value, str):
            if "Integer" in types and _INT_RE.fullmatch(value):
                return int(value)
            if "Float" in types:
                try:
                    return float(value)
                except ValueError:
                    pass
            if "Boolean" in types or "True" in types:
                flag = _BOOL_WORDS.get(value.lower())
                if flag is not None:
                    return flag
            if field.structured and value[:1] in ("{", "["):
                try:
                    decoded = json.loads(value)
                except ValueError:
                    decoded = None
                if isinstance(decoded, dict | list):
                    return self._nested_field(field, decoded)
            if "String" in types or "InputFile" in types:
                return value
            if field.structured:
                raise ApiError(
                    400, f"Bad Request: can't parse {field.name} JSON object", violation=True
                )
            raise _type_error(field)
        if isinstance(value, dict | list):
            if field.structured or "Object" in types:
                return self._nested_field(field, value)
            raise _type_error(field)
        try:
            return self._basic(types, value)
        except _NestedError:
            raise _type_error(field) from None

    def _nested_field(self, field: FieldSpec, value: Any) -> Any:
        if "Object" in field.types:
            return value
        arrays = [t[len("Array of ") :] for t in field.types if t.startswith("Array of ")]
        if len(arrays) > 1 and len(arrays) == len(field.types):
            # "Array of InputMediaPhoto or InputMediaVideo...": the spec lists one array type
            # per member, but the docs (and Telegram) take any mix of them in one array.
            if not isinstance(value, list):
                raise ApiError(
                    400,
                    f"Bad Request: can't parse {field.name} JSON object: must be an Array",
                    violation=True,
                )
            for index, item in enumerate(value):
                try:
                    self._check_any(tuple(arrays), item, f"{field.name}[{index}]")
                except _NestedError as e:
                    raise ApiError(
                        400,
                        f"Bad Request: can't parse {field.name} JSON object: {e}",
                        violation=True,
                    ) from None
            return value
        errors: list[str] = []
        for type_name in field.types:
            try:
                self._check(type_name, value, field.name)
                return value
            except _NestedError as e:
                errors.append(str(e))
        detail = errors[0] if len(errors) == 1 else "; ".join(errors)
        raise ApiError(
            400, f"Bad Request: can't parse {field.name} JSON object: {detail}", violation=True
        )

    def _basic(self, types: tuple[str, ...], value: Any) -> Any:
        if isinstance(value, bool):
            if "Boolean" in types or ("True" in types and value):
                return value
        elif isinstance(value, int):
            if "Integer" in types or "Float" in types:
                return value
            if "String" in types:
                return str(value)
        elif isinstance(value, float):
            if "Float" in types:
                return value
        elif isinstance(value, str) and ("String" in types or "InputFile" in types):
            return value
        raise _NestedError(f"expected {' or '.join(types)}")

    def _check(self, type_name: str, value: Any, path: str) -> None:
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                raise _NestedError(f'field "{path}" must be an Array')
            inner = type_name[len("Array of ") :]
            for i, item in enumerate(value):
                self._check(inner, item, f"{path}[{i}]")
            return
        if type_name in _BASIC:
            try:
                self._basic((type_name,), value)
            except _NestedError:
                raise _NestedError(f'field "{path}" must be of type {type_name}') from None
            return
        spec = self.types.get(type_name)
        if spec is None:
            return  # a type the spec does not describe: nothing to check against
        if type_name in _STRING_SHORTHANDS and isinstance(value, str):
            return
        if spec.subtypes:
            errors = []
            for sub in spec.subtypes:
                try:
                    self._check(sub, value, path)
                    return
                except _NestedError as e:
                    errors.append(str(e))
            raise _NestedError(f'field "{path}" is not a valid {type_name}')
        if not isinstance(value, dict):
            raise _NestedError(f'field "{path}" must be a {type_name} object')
        allowed_extra = NEWER_FIELDS.get(type_name, frozenset())
        for key, item in value.items():
            f = spec.fields.get(key)
            if f is None:
                if key in allowed_extra:
                    continue
                raise _NestedError(f'unknown field "{path}.{key}" in {type_name}')
            self._check_any(f.types, item, f"{path}.{key}")
            if f.const is not None and item != f.const:
                raise _NestedError(f'field "{path}.{key}" must be "{f.const}" in {type_name}')
        for name, f in spec.fields.items():
            if f.required and name not in value:
                raise _NestedError(f'field "{path}.{name}" is required in {type_name}')

    def _check_any(self, types: tuple[str, ...], value: Any, path: str) -> None:
        if len(types) == 1:
            self._check(types[0], value, path)
            return
        first: _NestedError | None = None
        for t in types:
            try:
                self._check(t, value, path)
                return
            except _NestedError as e:
                first = first or e
        assert first is not None
        raise first


def _field(raw: Mapping[str, Any]) -> FieldSpec:
    const = None
    if raw["name"] in _DISCRIMINATORS:
        m = _CONST_RE.search(str(raw.get("description", "")))
        const = m.group(1) if m else None
    return FieldSpec(raw["name"], tuple(raw.get("types", ())), bool(raw.get("required")), const)


def _reaction_emoji(raw: Mapping[str, Any]) -> frozenset[str]:
    """The emoji a ReactionTypeEmoji may carry, as the spec lists them ("one of "❤", "👍"...")."""
    reaction = raw["types"].get("ReactionTypeEmoji", {})
    for f in reaction.get("fields", []):
        if f["name"] == "emoji":
            return frozenset(re.findall(r'"([^"]+)"', str(f.get("description", ""))))
    return frozenset()


def _missing(name: str) -> str:
    if name == "text":
        return "Bad Request: message text is empty"
    if name == "chat_id":
        return "Bad Request: chat_id is empty"
    return f'Bad Request: parameter "{name}" is required'


def _type_error(field: FieldSpec) -> ApiError:
    return ApiError(
        400,
        f'Bad Request: field "{field.name}" must be of type {" or ".join(field.types)}',
        violation=True,
    )


@cache
def default_spec() -> ApiSpec:
    """The bundled spec, parsed once per process (several servers share it in tests)."""
    return ApiSpec.load()
