"""Printing rows as a table, CSV or JSON (shared by sql, history, status, changes)."""
from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from decimal import Decimal

from rich.console import Console
from rich.table import Table


def console() -> Console:
    """Rich console; piped output gets a wide fixed width instead of rich's 80 columns."""
    return Console() if sys.stdout.isatty() else Console(width=200)


def jsonable(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def print_rows(columns: list[str], rows: list, fmt: str = "table", title: str | None = None) -> None:
    if fmt == "json":
        json.dump([jsonable(dict(zip(columns, r))) for r in rows], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(v) for v in row])
    else:
        table = Table(title=title, show_lines=False)
        for c in columns:
            table.add_column(c, overflow="fold")
        for row in rows:
            table.add_row(*(cell(v) for v in row))
        console().print(table)


def print_json(data) -> None:
    json.dump(jsonable(data), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
