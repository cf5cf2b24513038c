"""The OpenAPI document: every contract row, each status it can answer, with its body."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

# (method, path): (success status, success model or None, failure statuses of the contract
# and of the edge: 413/415 where a body is read, 503 where a store is asked)
CONTRACT: dict[tuple[str, str], tuple[int, str | None, set[int]]] = {
    ("post", "/auth/register"): (201, "User", {400, 409, 413, 415, 429, 503}),
    ("post", "/auth/login"): (200, "Token", {400, 401, 413, 415, 429, 503}),
    ("post", "/auth/logout"): (204, None, {401, 413, 503}),
    ("get", "/users/me"): (200, "User", {401, 503}),
    ("get", "/rooms"): (200, "ListedRoom", {401, 503}),
    ("post", "/rooms"): (201, "Room", {400, 401, 409, 413, 415, 429, 503}),
    ("get", "/rooms/{room_id}"): (200, "Room", {401, 404, 503}),
    ("patch", "/rooms/{room_id}"): (200, "Room", {400, 401, 403, 404, 413, 415, 503}),
    ("post", "/rooms/{room_id}/members"): (201, "Room", {400, 401, 403, 404, 413, 415, 503}),
    ("delete", "/rooms/{room_id}/members/me"): (204, None, {401, 404, 409, 503}),
    ("get", "/rooms/{room_id}/messages"): (200, "MessagePage", {400, 401, 403, 404, 503}),
}
PUBLIC = {("post", "/auth/register"), ("post", "/auth/login")}


@pytest.fixture(scope="module")
async def spec(server: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.get("/api/swagger.json")
    assert response.status_code == 200
    return dict(response.json())


def _ref(schema: dict[str, Any]) -> str:
    if schema.get("type") == "array":
        schema = schema["items"]
    return str(schema["$ref"]).rsplit("/", 1)[-1]


@pytest.mark.parametrize(("method", "path"), list(CONTRACT))
def test_every_row_documents_its_statuses_and_bodies(
    spec: dict[str, Any], method: str, path: str
) -> None:
    assert spec["basePath"] == "/api"
    operation = spec["paths"][path][method]
    success, model, failures = CONTRACT[(method, path)]
    responses = operation["responses"]
    assert {int(code) for code in responses} == {success} | failures
    if model is None:
        assert "schema" not in responses[str(success)]
    else:
        assert _ref(responses[str(success)]["schema"]) == model
    for code in failures:
        assert _ref(responses[str(code)]["schema"]) == "Error"
    if 429 in failures:
        assert responses["429"]["headers"]["Retry-After"]["type"] == "integer"
    expected_security = None if (method, path) in PUBLIC else [{"bearer": []}]
    assert operation.get("security") == expected_security


def test_request_bodies_and_parameters_are_documented(spec: dict[str, Any]) -> None:
    definitions = spec["definitions"]
    paths = spec["paths"]

    def body(method: str, path: str) -> dict[str, Any]:
        params = paths[path][method]["parameters"]
        (payload,) = [p for p in params if p["in"] == "body"]
        return dict(payload)

    assert body("post", "/auth/register")["required"] is True
    registration = definitions["Registration"]
    assert sorted(registration["required"]) == ["password", "username"]
    assert registration["properties"]["password"]["minLength"] == 8
    assert registration["properties"]["password"]["maxLength"] == 128
    assert definitions["NewRoom"]["required"] == ["name"]
    assert definitions["NewRoom"]["properties"]["private"]["type"] == "boolean"
    members = body("post", "/rooms/{room_id}/members")
    assert members["required"] is False
    assert members["schema"]["$ref"] == "#/definitions/NewMember"
    for path in [p for p in paths if "{room_id}" in p]:
        (room_id,) = [p for p in paths[path]["parameters"] if p["name"] == "room_id"]
        assert room_id["in"] == "path" and room_id["type"] == "integer"
        assert room_id["minimum"] == 1 and room_id["maximum"] == 2**63 - 1
    query = {p["name"]: p for p in paths["/rooms/{room_id}/messages"]["get"]["parameters"]}
    assert set(query) == {"before", "after", "limit"}
    assert (query["limit"]["minimum"], query["limit"]["maximum"]) == (1, 200)
    assert query["limit"]["default"] == 50
    assert definitions["Error"]["required"] == ["code", "message"]
    assert definitions["Message"]["properties"]["edited_at"]["x-nullable"] is True


def test_bearer_security_is_defined(spec: dict[str, Any]) -> None:
    assert spec["securityDefinitions"]["bearer"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "Bearer <access_token from POST /api/auth/login>",
    }


def test_no_fields_mask_header_is_documented(spec: dict[str, Any]) -> None:
    for operations in spec["paths"].values():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            names = {p["name"] for p in operation.get("parameters", [])}
            assert not any("fields" in name.lower() for name in names)


async def test_swagger_ui_lists_the_api(http: httpx.AsyncClient) -> None:
    page = await http.get("/api/docs")
    assert page.status_code == 200
    assert "swagger-ui" in page.text
    assert "/api/swagger.json" in page.text
