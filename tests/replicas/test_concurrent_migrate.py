"""Replicas (or their `migrate` pre-start steps) starting at the same moment on a new PostgreSQL
database: one applies the migrations, the others wait for it and find the schema at head."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import postgres_server_url, temporary_postgres_database
from tests.startup.process import bot_env, run_bot


@pytest.fixture
def new_postgres_database() -> Iterator[str]:
    server = postgres_server_url()
    if server is None:
        pytest.skip("TEST_DATABASE_URL is not set")
    with temporary_postgres_database(server) as url:
        yield url


async def test_three_migrations_at_once_all_succeed(
    new_postgres_database: str, tmp_path: Path
) -> None:
    env = bot_env(DATABASE_URL=new_postgres_database)
    outcomes = await asyncio.gather(*(run_bot("migrate", env=env, cwd=tmp_path) for _ in range(3)))
    for outcome in outcomes:
        assert outcome.code == 0, outcome.stderr
        assert "Traceback" not in outcome.stderr, outcome.stderr
        assert "Database is up to date." in outcome.stdout
