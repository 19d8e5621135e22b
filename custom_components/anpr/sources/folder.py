"""Folder-watch source kind (work in progress: the full kind lands shortly)."""

from __future__ import annotations
