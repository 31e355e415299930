"""A command whose optional libraries are missing ends in one line naming the extra to install
(exit 2), not in an import traceback."""

from __future__ import annotations

from collections.abc import Sequence


def missing_extra_line(error: ModuleNotFoundError, libraries: Sequence[str], command: str,
                       extra: str) -> str:
    """The one-line error for `error` when the missing module is one of the extra's `libraries`;
    any other missing module is a bug, raised again."""
    library = (error.name or "").partition(".")[0]
    if library not in libraries:
        raise error
    return (f"error: {command} needs {library} (the '{extra}' extra): "
            f"pip install -e '.[{extra}]'")
