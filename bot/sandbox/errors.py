"""Errors the fake server answers with, shaped like Telegram's error envelope."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API error answer.

    ``violation`` marks answers that only a buggy client can provoke (unknown method, unknown
    parameter, wrong type): the server records those so tests fail even when the bot swallows
    the exception.
    """

    def __init__(
        self,
        status: int,
        description: str,
        *,
        parameters: dict[str, Any] | None = None,
        violation: bool = False,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters
        self.violation = violation

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(text: str, *, violation: bool = False) -> ApiError:
    return ApiError(400, f"Bad Request: {text}", violation=violation)


def forbidden(text: str) -> ApiError:
    return ApiError(403, f"Forbidden: {text}")


CHAT_NOT_FOUND = "chat not found"
BLOCKED = "bot was blocked by the user"
DEACTIVATED = "user is deactivated"
