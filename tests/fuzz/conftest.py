"""The fuzz's database: SQLite, and a throw-away PostgreSQL database for the tests named
``..._on_postgresql`` (skipped without TEST_DATABASE_URL). FUZZ_DATABASE=postgresql runs every
fuzz test on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.databases import postgres_server_url, temporary_postgres_database


@pytest.fixture
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
    wanted = request.node.name.endswith("_on_postgresql") or (
        os.environ.get("FUZZ_DATABASE") == "postgresql"
    )
    if not wanted:
        yield sqlite_url
        return
    server = postgres_server_url()
    if server is None:
        pytest.skip("TEST_DATABASE_URL is not set")
    with temporary_postgres_database(server) as url:
        yield url
