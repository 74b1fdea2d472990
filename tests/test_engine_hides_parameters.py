"""SQL parameters are what users typed: a failing statement's error and the engine's log show
the SQL, never the values."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from db.engine import create_engine

TYPED = "Менің атым Айгүл, мекенжайым Абай 10"


async def test_failing_statement_hides_its_parameters(
    any_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(any_database_url)
    statement = text("INSERT INTO no_such_table (question) VALUES (:question)")
    try:
        with (
            caplog.at_level(logging.DEBUG, logger="sqlalchemy.engine"),
            pytest.raises(DBAPIError) as failure,
        ):
            async with engine.begin() as connection:
                await connection.execute(statement, {"question": TYPED})
    finally:
        await engine.dispose()
    assert "no_such_table" in str(failure.value)  # the error still says what failed
    assert TYPED not in str(failure.value)
    assert "INSERT INTO no_such_table" in caplog.text  # the statement was logged …
    assert TYPED not in caplog.text  # … without what the user typed
