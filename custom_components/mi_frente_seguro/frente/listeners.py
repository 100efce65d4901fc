"""Calling a listener: its failure is logged with the caller's words, never raised."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
import logging


@contextmanager
def logged_failure(
    logger: logging.Logger, message: str, *args: object
) -> Iterator[None]:
    """Run the block; an exception it raises is logged (with traceback), not raised."""
    try:
        yield
    except Exception:
        logger.exception(message, *args)
