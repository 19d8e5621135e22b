"""Long fuzzing campaign over every protocol parser (hypothesis profile "long").

Runs each target of ``tests/fuzz_targets.py`` for an equal share of ``--minutes``, in rounds of
``--round`` examples with fresh random seeds, and prints a table: parser, target, examples run
(including hypothesis' shrinking calls), examples/s and findings (distinct exception type and
place). Each finding is printed with the falsifying example hypothesis reports.

    .venv/bin/python bench/fuzz.py --minutes 10
    .venv/bin/python bench/fuzz.py --minutes 2 --only multipart --only milesight

Exit status 1 when anything was found.
"""

from __future__ import annotations

import argparse
from pathlib import Path
import sys
import time
import traceback
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import given, settings

from tests.fuzz_targets import TARGETS, Target


def _where(err: BaseException) -> str:
    """The innermost frame of the repository that raised ``err`` (file:line)."""
    frames = traceback.extract_tb(err.__traceback__)
    root = str(Path(__file__).resolve().parents[1])
    mine = [f for f in frames if f.filename.startswith(root) and "/.venv/" not in f.filename]
    frame = (mine or frames)[-1]
    name = frame.filename
    if name.startswith(root):
        name = str(Path(name).relative_to(root))
    return f"{name}:{frame.lineno}"


def run_target(target: Target, seconds: float, per_round: int) -> tuple[int, dict[str, str]]:
    """Fuzz one target for ``seconds``; return (examples run, findings by signature)."""
    calls = 0
    findings: dict[str, str] = {}

    def check(value: Any) -> None:
        nonlocal calls
        calls += 1
        target.check(value)

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        test = settings(settings.get_profile("long"), max_examples=per_round)(
            given(target.strategy)(check)
        )
        try:
            test()
        except Exception as err:
            errors = list(err.exceptions) if isinstance(err, BaseExceptionGroup) else [err]
            for one in errors:
                key = f"{type(one).__name__} at {_where(one)}"
                if key not in findings:
                    notes = "\n".join(
                        getattr(one, "__notes__", []) or getattr(err, "__notes__", [])
                    )
                    findings[key] = f"{type(one).__name__}: {str(one)[:300]}\n{notes[:2000]}"
    return calls, findings


def main() -> int:
    """Parse arguments, run the campaign, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="total budget (default 5)")
    parser.add_argument("--round", type=int, default=500, help="examples per hypothesis run")
    parser.add_argument("--only", action="append", default=[], help="parser or target name part")
    args = parser.parse_args()
    chosen = {
        name: t
        for name, t in sorted(TARGETS.items())
        if not args.only or any(o in name or o == t.parser for o in args.only)
    }
    if not chosen:
        parser.error("no target matches --only")
    share = args.minutes * 60 / len(chosen)
    rows: list[tuple[str, str, int, float, int]] = []
    all_findings: dict[str, dict[str, str]] = {}
    started = time.monotonic()
    for name, target in chosen.items():
        t0 = time.monotonic()
        calls, findings = run_target(target, share, args.round)
        elapsed = time.monotonic() - t0
        rows.append(
            (target.parser, name, calls, calls / elapsed if elapsed else 0.0, len(findings))
        )
        if findings:
            all_findings[name] = findings
        print(
            f"  {name}: {calls} examples in {elapsed:.0f} s, {len(findings)} finding(s)",
            file=sys.stderr,
            flush=True,
        )
    total = time.monotonic() - started
    print(f"\nFuzz campaign: {len(chosen)} targets, {total / 60:.1f} min, profile 'long'\n")
    print(f"| {'parser':<15} | {'target':<28} | {'examples':>9} | {'ex/s':>7} | findings |")
    print(f"|{'-' * 17}|{'-' * 30}|{'-' * 11}|{'-' * 9}|----------|")
    per_parser: dict[str, int] = {}
    for parser_name, name, calls, rate, found in rows:
        per_parser[parser_name] = per_parser.get(parser_name, 0) + calls
        print(f"| {parser_name:<15} | {name:<28} | {calls:>9} | {rate:>7.0f} | {found:>8} |")
    print(
        "\nExamples per parser module: "
        + ", ".join(f"{k} {v}" for k, v in sorted(per_parser.items()))
    )
    for name, findings in all_findings.items():
        for key, text in findings.items():
            print(f"\nFINDING {name}: {key}\n{text}")
    if not all_findings:
        print("\nNo findings.")
    return 1 if all_findings else 0


if __name__ == "__main__":
    sys.exit(main())
