"""Errors shown to the user as one line (never a traceback) by every shell: CLI, web UI, evaluation."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix (bad input, a missing or damaged index...): ``str()`` is the one line."""
