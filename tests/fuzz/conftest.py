"""The fuzz runs on SQLite; FUZZ_DATABASE=postgresql (with TEST_DATABASE_URL) runs it on a
throw-away PostgreSQL database instead, which also enforces column lengths."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.databases import postgres_server_url, temporary_postgres_database


@pytest.fixture
def database_url(sqlite_url: str) -> Iterator[str]:
    if os.environ.get("FUZZ_DATABASE") != "postgresql":
        yield sqlite_url
        return
    server = postgres_server_url()
    if server is None:
        pytest.skip("FUZZ_DATABASE=postgresql needs TEST_DATABASE_URL")
    with temporary_postgres_database(server) as url:
        yield url
