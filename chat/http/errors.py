"""One error shape for every REST failure: {"message", "code"}, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from chat.domain.errors import HTTP_CODES, ChatError

log = logging.getLogger(__name__)


def error_body(status: int, message: str, code: str | None = None) -> dict[str, str]:
    return {"message": message, "code": code or HTTP_CODES.get(status, "error")}


def chat_error_response(error: ChatError) -> tuple[dict[str, str], int, dict[str, str]]:
    headers = {}
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    if error.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return error.as_dict(), error.status, headers


def http_error_response(error: HTTPException) -> tuple[dict[str, str], int, dict[str, str]]:
    status = error.code or 500
    headers = {}
    valid_methods = getattr(error, "valid_methods", None)
    if status == 405 and valid_methods:
        headers["Allow"] = ", ".join(valid_methods)
    message = error.description or error.name
    if status == 400:
        message = "malformed request"
    return error_body(status, str(message)), status, headers


def unexpected_error_response(error: BaseException) -> tuple[dict[str, str], int, dict[str, str]]:
    log.error("unhandled error", exc_info=error)
    return error_body(500, "internal error", "internal"), 500, {}


def install_error_handlers(app: Flask) -> None:
    """For what happens outside Flask-RESTX resources (unknown routes, the app's own hooks)."""

    def to_response(result: tuple[dict[str, str], int, dict[str, str]]) -> Response:
        body, status, headers = result
        response = jsonify(body)
        response.status_code = status
        response.headers.update(headers)
        return response

    @app.errorhandler(ChatError)
    def on_chat_error(error: ChatError) -> Response:
        return to_response(chat_error_response(error))

    @app.errorhandler(HTTPException)
    def on_http_error(error: HTTPException) -> Response:
        return to_response(http_error_response(error))

    @app.errorhandler(Exception)
    def on_error(error: Exception) -> Any:
        return to_response(unexpected_error_response(error))
