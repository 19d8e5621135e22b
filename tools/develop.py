"""Run the integration in a real Home Assistant with demo cameras (``scripts/develop``).

Starts Home Assistant from the dev venv on http://127.0.0.1:8123 (``ANPR_DEV_PORT`` to change),
onboards a demo user over the REST API, creates the ANPR hub and one camera per source kind,
each fed by an emulator that speaks the real wire format on loopback and replays real sample
data. Prints the URL and login; Ctrl-C stops everything cleanly.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
import os
from pathlib import Path
import shutil
import signal
import subprocess
import sys
import time
from typing import Any
from zoneinfo import ZoneInfo

from tools.hass_runner import REPO, HassProcess, free_port, write_config

FIXTURE = REPO / "tests" / "fixtures" / "20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg"
USERNAME = "demo"
PASSWORD = "demo-anpr"


@dataclass
class Demo:
    """One demo camera: the form data for its kind and the emulator command feeding it."""

    kind: str
    name: str
    form: Callable[[dict[str, Any]], dict[str, Any]]
    emulator: Callable[[dict[str, Any]], list[str]] | None = None
    after: Callable[[dict[str, Any], HassProcess], None] | None = None
    before: Callable[[dict[str, Any], HassProcess], None] | None = None
    ports: list[str] = field(default_factory=list)


def _folder_after(ctx: dict[str, Any], proc: HassProcess) -> None:
    """Upload the real picture the way an FTP server does: temporary name, then rename."""
    # The camera starts in the background after the flow; wait until it watches the folder.
    proc.wait_state("sensor.driveway_last_plate", lambda s: True, 60)
    watch: Path = ctx["watch"]
    # Named with the current capture time, as the camera uploading now would name it (the
    # fixture's own 2025 time would be a wrong camera clock: replaced, with a warning).
    now = datetime.now(ZoneInfo("Europe/London"))
    target = watch / f"{now:%Y%m%d%H%M%S}407_B4DM3N_VEHICLE_DETECTION.jpg"
    tmp = watch / ".upload.tmp"
    shutil.copyfile(FIXTURE, tmp)
    os.rename(tmp, target)


DEMOS: list[Demo] = [
    Demo(
        kind="folder",
        name="Driveway",
        form=lambda ctx: {
            "name": "Driveway",
            "path": str(ctx["watch"]),
            "ocr": True,
            "time_zone": "Europe/London",
        },
        after=_folder_after,
    ),
]


def _load_extra_demos() -> None:
    """Demo cameras of the other kinds live next to their emulators (tools/emulators/*)."""
    try:
        from tools.emulators import demos  # noqa: PLC0415
    except ImportError:
        return
    for item in demos.DEMOS:
        DEMOS.append(Demo(**item))


def main() -> int:
    """Run the demo until Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--python", default=sys.executable, help="Python of the dev venv")
    parser.add_argument("--dir", type=Path, default=REPO / ".dev", help="demo state folder")
    parser.add_argument("--port", type=int, default=int(os.environ.get("ANPR_DEV_PORT", 8123)))
    parser.add_argument("--exit-after-ready", action="store_true", help="stop once plates show")
    args = parser.parse_args()

    _load_extra_demos()
    base: Path = args.dir
    config = base / "config"
    watch = base / "ftp"
    watch.mkdir(parents=True, exist_ok=True)
    write_config(config, args.port, [watch], frontend=True, time_zone="Europe/London")
    ctx: dict[str, Any] = {"watch": watch, "base": base, "python": args.python}
    for demo in DEMOS:
        for name in demo.ports:
            ctx[name] = free_port()

    emulators: list[subprocess.Popen[bytes]] = []
    proc = HassProcess(config, args.port, python=args.python, log=base / "hass.log")
    stopping = False

    def stop(*_: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for demo in DEMOS:
            if demo.emulator is not None:
                cmd = demo.emulator(ctx)
                emulators.append(
                    subprocess.Popen(
                        cmd, cwd=REPO, stdout=(base / f"emulator-{demo.kind}.log").open("ab"),
                        stderr=subprocess.STDOUT, start_new_session=True,
                    )
                )
        print(f"Starting Home Assistant (log: {proc.log_path}) ...", flush=True)
        proc.start(timeout=180)
        proc.onboard(USERNAME, PASSWORD)
        entry_id = proc.ensure_hub()
        ctx["hass"] = proc.base
        existing = {s.get("title") for s in _subentry_titles(proc, entry_id)}
        for demo in DEMOS:
            if demo.name in existing:
                continue
            try:
                if demo.before is not None:
                    demo.before(ctx, proc)
                proc.add_camera(entry_id, demo.kind, demo.form(ctx))
                print(f"  added {demo.kind} camera {demo.name!r}", flush=True)
            except Exception as err:
                print(f"  could not add {demo.kind} camera {demo.name!r}: {err}", flush=True)
        for demo in DEMOS:
            if demo.after is not None:
                demo.after(ctx, proc)
        state = proc.wait_state(
            "sensor.driveway_last_plate", lambda s: s["state"] not in ("unknown", ""), 60
        )
        print(
            f"\nHome Assistant is running: {proc.base}\n  login: {USERNAME} / {PASSWORD}\n"
            f"  sensor.driveway_last_plate = {state['state']} "
            f"(direction {state['attributes'].get('direction')})\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )
        while not stopping and not args.exit_after_ready:
            if proc.proc is not None and proc.proc.poll() is not None:
                print("Home Assistant exited; see the log", flush=True)
                return 1
            time.sleep(0.5)
    finally:
        print("Stopping ...", flush=True)
        proc.stop()
        for emu in emulators:
            emu.send_signal(signal.SIGTERM)
        for emu in emulators:
            try:
                emu.wait(10)
            except subprocess.TimeoutExpired:
                emu.kill()
    return 0


def _subentry_titles(proc: HassProcess, entry_id: str) -> list[dict[str, Any]]:
    """Existing camera subentries (re-running the demo does not add them twice)."""
    try:
        states = proc.request("GET", "/api/states")
    except Exception:
        return []
    suffix = " Last plate"
    return [
        {"title": str(state["attributes"].get("friendly_name", ""))[: -len(suffix)]}
        for state in states
        if state["entity_id"].endswith("_last_plate")
        and str(state["attributes"].get("friendly_name", "")).endswith(suffix)
    ]


if __name__ == "__main__":
    sys.exit(main())
