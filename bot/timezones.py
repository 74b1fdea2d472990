"""Time zones from the `tzdata` package first.

Kazakhstan moved to a single UTC+5 on 1 March 2024 (tzdata 2024a). A machine with an older system
database would still say UTC+6 for Asia/Almaty, so the pinned package wins over the system files.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo


@cache
def zone(name: str) -> ZoneInfo:
    parts = name.split("/")
    if all(part and part not in (".", "..") for part in parts):
        try:
            resource = resources.files("tzdata.zoneinfo").joinpath(*parts)
            with resource.open("rb") as data:
                return ZoneInfo.from_file(data, key=name)
        except (ModuleNotFoundError, FileNotFoundError, IsADirectoryError, ValueError):
            pass
    return ZoneInfo(name)
