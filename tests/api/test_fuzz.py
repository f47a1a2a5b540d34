"""Hypothesis against the routes: whatever a client sends, never a 500."""

from __future__ import annotations

import json

from api_support import FORM_ID, VALUES, Api
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIELDS = [*VALUES, "unknown", ""]
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)
file_entries = st.fixed_dictionaries(
    {},
    optional={
        "attachment": st.sampled_from(["kk", "foto", "x"]) | json_values,
        "name": st.text(max_size=30) | json_values,
        "size": st.integers(-5, 200_000) | json_values,
        "type": st.sampled_from(["application/pdf", "image/jpeg", "image/png", "text/x"])
        | json_values,
    },
)
near_valid_bodies = st.fixed_dictionaries(
    {},
    optional={
        "form_id": st.sampled_from([FORM_ID, "tidak-ada", ""]) | json_values,
        "idempotency_key": st.text(min_size=0, max_size=140) | st.just("kunci-pengiriman-fuzz-0001"),
        "values": st.dictionaries(st.sampled_from(FIELDS), json_values | st.text(max_size=40),
                                  max_size=8) | json_values,
        "files": st.lists(file_entries, max_size=4) | json_values,
        "confirmed_warnings": st.lists(st.text(max_size=30), max_size=3) | json_values,
    },
)
FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def assert_not_a_server_error(response: object) -> None:
    assert response.status_code < 500, response.body
    body = json.loads(response.body)
    assert isinstance(body, dict)
    if response.status_code >= 400:
        assert isinstance(body["message"], str)


@FUZZ
@given(body=near_valid_bodies)
def test_create_never_500_on_structured_bodies(api: Api, body: dict) -> None:
    assert_not_a_server_error(api.post("/submissions", body))


@FUZZ
@given(body=json_values)
def test_create_never_500_on_any_json(api: Api, body: object) -> None:
    assert_not_a_server_error(api.post("/submissions", body))


@FUZZ
@given(raw=st.binary(max_size=300))
def test_create_never_500_on_any_bytes(api: Api, raw: bytes) -> None:
    assert_not_a_server_error(api.post("/submissions", raw=raw))


@FUZZ
@given(body=json_values, sid=st.text(max_size=40))
def test_status_and_complete_never_500(api: Api, body: object, sid: str) -> None:
    assert_not_a_server_error(api.post("/status", body))
    path_id = "".join(ch for ch in sid if ch.isascii() and ch.isalnum()) or "x"
    assert_not_a_server_error(api.complete(path_id))
