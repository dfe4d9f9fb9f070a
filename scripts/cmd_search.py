"""Commands: (filled in by the issue that builds them)."""

from __future__ import annotations

COMMANDS: list = []
