"""One clear line instead of a traceback when the bot is started outside its virtual environment.

Imports only the standard library: it must work where the bot's packages are missing.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence

INSTALL_COMMAND = ".venv/bin/pip install -e ."
OWN_PACKAGES = frozenset({"bot", "db", "handlers"})


def missing_dependency_line(error: ModuleNotFoundError, argv: Sequence[str]) -> str | None:
    """The line for a package that is not installed; None when our own code is at fault."""
    module = (error.name or "").split(".")[0]
    if not module or module in OWN_PACKAGES:
        return None
    command = shlex.join([".venv/bin/python", "-m", "bot", *argv])
    return (
        f"Python module {module!r} is missing: {sys.executable} is not the bot's environment. "
        f"Install it with `{INSTALL_COMMAND}` (after `python3 -m venv .venv`) and run `{command}`"
    )
