"""The report's Markdown tables: a figure, its value (ours and hand-built), its target."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

type Check = Callable[[Any], bool] | None
type Row = tuple[str, Any, Any, str, Check]  # figure, ours, hand-built, target, check


def fmt(value: Any) -> str:
    """Return a figure as the report prints it ("" for none)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def met(check: Check, value: Any) -> str:
    """Return the 'met' column: yes, **no**, or "" when the figure has no target."""
    if check is None:
        return ""
    return "yes" if check(value) else "**no**"


def compared(rows: list[Row]) -> list[str]:
    """Return a table of (figure, ours, hand-built, target, met) rows."""
    lines = ["| figure | ours | hand-built | target | met |", "|---|---|---|---|---|"]
    for name, ours, other, target, check in rows:
        lines.append(
            f"| {name} | {fmt(ours)} | {fmt(other)} | {target} | {met(check, ours)} |"
        )
    return [*lines, ""]


def single(rows: list[tuple[str, Any, str, Check]]) -> list[str]:
    """Return a table of (figure, value, target, met) rows."""
    lines = ["| figure | value | target | met |", "|---|---|---|---|"]
    for name, value, target, check in rows:
        lines.append(f"| {name} | {fmt(value)} | {target} | {met(check, value)} |")
    return [*lines, ""]
