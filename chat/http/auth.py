"""POST /api/auth/register, /api/auth/login and /api/auth/logout."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_restx import fields

from chat.domain import rules
from chat.http import payloads
from chat.http.resources import (
    AsyncResource,
    caller,
    client_address,
    json_body,
    no_content,
    services,
)
from chat.http.schemas import BEARER, USERNAME_PATTERN, errors, shared_namespace, user_model

ns = shared_namespace("auth", "Register, log in and log out", "/auth")

registration_model = ns.model(
    "Registration",
    {
        "username": fields.String(
            required=True,
            pattern=USERNAME_PATTERN,
            min_length=3,
            max_length=32,
            description="3-32 characters of A-Z a-z 0-9 _ . -, unique without regard to case",
            example="ada",
        ),
        "password": fields.String(
            required=True,
            min_length=rules.PASSWORD_MIN,
            max_length=rules.PASSWORD_MAX,
            example="correct horse battery",
        ),
    },
)

login_model = ns.model(
    "Login",
    {
        "username": fields.String(required=True, example="ada"),
        "password": fields.String(required=True, example="correct horse battery"),
    },
)

token_model = ns.model(
    "Token",
    {
        "access_token": fields.String(required=True, description="a signed JWT"),
        "token_type": fields.String(required=True, enum=["bearer"], example="bearer"),
        "expires_in": fields.Integer(required=True, min=1, description="seconds", example=3600),
    },
)


@ns.route("/register")
class RegisterResource(AsyncResource):
    @ns.expect(registration_model)
    @ns.response(201, "Registered", user_model)
    @errors(ns, 400, 409, 413, 415, 429, 503, e409="Username taken (case does not matter)")
    async def post(self) -> tuple[dict[str, Any], int]:
        """Register a user. Registrations are limited per client address."""
        registration = payloads.registration(json_body())
        user = await services().accounts.register(
            registration.username, registration.password, client_address()
        )
        return user.as_dict(), 201


@ns.route("/login")
class LoginResource(AsyncResource):
    @ns.expect(login_model)
    @ns.response(200, "Logged in", token_model)
    @errors(ns, 400, 401, 413, 415, 429, 503, e401="Wrong username or password")
    async def post(self) -> dict[str, Any]:
        """Log in: a bearer token for REST (Authorization: Bearer) and the socket (auth.token).

        Attempts are limited per username and per client address."""
        login = payloads.login(json_body())
        session = await services().accounts.login(login.username, login.password, client_address())
        return session.as_dict()


@ns.route("/logout")
class LogoutResource(AsyncResource):
    @ns.doc(security=BEARER)
    @ns.response(204, "Logged out: the token is refused from now on, on REST and socket")
    @errors(ns, 401, 413, 503)
    async def post(self) -> Response:
        """Log out: revoke the token that authenticates this request."""
        principal = await caller()
        await services().accounts.logout(principal)
        return no_content()
