"""What can be wrong with an import file: one problem in a row, or the file as a whole."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field


@dataclass(frozen=True, slots=True)
class ImportIssue:
    """What is wrong and where. `row` is the spreadsheet row for CSV and XLSX (header = row 1)
    and the item number for YAML; 0 means the file as a whole."""

    row: int
    field: str | None
    code: str
    params: Mapping[str, object] = dataclass_field(default_factory=dict)


class FileFormatError(ValueError):
    """The file cannot be read at all; `code` names why, so the view can give advice."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
