#!/usr/bin/env python3
"""Fail when any module of custom_components/anpr is under its coverage floor.

Reads coverage.json (``coverage json``). Floors: 95 % for every module (test-coverage rule),
100 % for config_flow.py (config-flow-test-coverage rule). Usage: coverage_check.py FILE.
"""

from __future__ import annotations

import json
from pathlib import Path
import sys

FLOOR = 95.0
STRICT = {"custom_components/anpr/config_flow.py": 100.0}


def main() -> int:
    data = json.loads(Path(sys.argv[1] if len(sys.argv) > 1 else "coverage.json").read_text())
    bad = []
    for name, info in sorted(data["files"].items()):
        pct = float(info["summary"]["percent_covered"])
        floor = STRICT.get(name, FLOOR)
        if pct + 1e-9 < floor:
            bad.append(f"{name}: {pct:.1f} % < {floor:.0f} %")
    # Silent on success so pytest's summary stays the last line of scripts/test.
    for line in bad:
        print(f"coverage: {line}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
