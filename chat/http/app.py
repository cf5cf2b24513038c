"""The Flask app with its Flask-RESTX Api; one namespace per resource."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask
from flask_restx import Api, apidoc
from werkzeug.exceptions import HTTPException

from chat.domain.errors import ChatError
from chat.http import auth, health, messages, rooms, search, users
from chat.http.errors import (
    chat_error_response,
    http_error_response,
    install_error_handlers,
    unexpected_error_response,
)
from chat.http.resources import output_json
from chat.services.container import Services
from chat.settings import Settings

NAMESPACES = [auth.ns, users.ns, rooms.ns, messages.ns, search.ns, health.ns]


class _ChatFlask(Flask):
    """Flask-RESTX logs a traceback for every answer of 500 or more, 503 included; a
    ChatError is an expected answer (the database being down is logged where it is seen)."""

    def log_exception(self, exc_info: Any) -> None:
        if isinstance(exc_info, tuple) and isinstance(exc_info[1], ChatError):
            return
        super().log_exception(exc_info)


def create_flask_app(settings: Settings, services: Services) -> Flask:
    app = _ChatFlask("chat.http")
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        ERROR_404_HELP=False,
        RESTX_ERROR_404_HELP=False,  # else 404 messages suggest other routes
        RESTX_INCLUDE_ALL_MODELS=True,  # NewMember is only named by a $ref
        RESTX_MASK_SWAGGER=False,  # X-Fields masks trip API fuzzers (schemathesis)
        RESTX_MASK_HEADER="X-Fields-Disabled",
        PROPAGATE_EXCEPTIONS=False,
        JSON_SORT_KEYS=False,
    )
    app.extensions["chat.services"] = services
    app.extensions["chat.settings"] = settings
    # Swagger UI's assets under /api/swaggerui, so everything the API serves is below /api.
    app.register_blueprint(apidoc.apidoc, url_prefix="/api")
    app.extensions.setdefault("restx", {})["apidoc_registered"] = True
    blueprint = Blueprint("api", __name__, url_prefix="/api")
    api = Api(
        blueprint,
        title="ChatApp API",
        version="1.0",
        description=(
            "Accounts, rooms, membership and history. Every error is JSON {message, code}. "
            "In front of every operation: 403 for an Origin not on the allow-list, 413 for a "
            "body over the limit, 431 for too many repeated header fields, 405 with Allow for "
            "a method the path does not take."
        ),
        doc="/docs",
        authorizations={
            "bearer": {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "Bearer <access_token from POST /api/auth/login>",
            }
        },
        catch_all_404s=True,
    )
    api.representations["application/json"] = output_json
    for namespace in NAMESPACES:
        api.add_namespace(namespace)

    @api.errorhandler(ChatError)
    def on_chat_error(error: ChatError) -> Any:
        return chat_error_response(error)

    @api.errorhandler(HTTPException)
    def on_http_error(error: HTTPException) -> Any:
        return http_error_response(error)

    @api.errorhandler(Exception)
    def on_error(error: Exception) -> Any:
        return unexpected_error_response(error)

    app.register_blueprint(blueprint)
    install_error_handlers(app)
    return app
