"""Whose share of the server a request counts against (api/limits.py PerCallerConcurrency)."""

from __future__ import annotations

from engram.api.limits import PerCallerConcurrency
from engram.auth.tokens import new_token


def scope(authorization: str | None, client: str = "10.0.0.7") -> dict:
    headers = [(b"authorization", authorization.encode("latin-1"))] if authorization is not None else []
    return {"type": "http", "path": "/graphql", "headers": headers, "client": (client, 5000)}


def test_one_key_is_one_bucket_however_the_header_is_spelt() -> None:
    limits = PerCallerConcurrency(app=None, max_in_flight=4)  # type: ignore[arg-type]
    key = new_token().token
    spellings = [f"Bearer {key}", f"bearer {key}", f"BEARER   {key}  ", f"  Bearer {key}", key]
    assert len({limits._bucket(scope(s)) for s in spellings}) == 1
    assert limits._bucket(scope(f"Bearer {new_token().token}")) != limits._bucket(scope(f"Bearer {key}"))


def test_headers_that_cannot_be_keys_share_their_address_bucket() -> None:
    limits = PerCallerConcurrency(app=None, max_in_flight=4)  # type: ignore[arg-type]
    made_up = {limits._bucket(scope(h)) for h in ("x1", "Bearer x2", "Basic abc", "Bearer eng_short", "")}
    assert made_up == {limits._bucket(scope(None))} == {"anonymous:10.0.0.7"}
    assert limits._bucket(scope("x1", client="10.0.0.8")) == "anonymous:10.0.0.8"
