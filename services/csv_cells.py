"""Values for CSV files that customers and staff open in a spreadsheet (exports, the data export)."""
from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def csv_cell(value):
    """A value for a CSV cell that a spreadsheet will not run as a formula (SECURITY.md #15):
    text starting with = + - @ (or a tab or CR) gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value
