"""Folder watch benchmark: file closed (or renamed in) -> event entity state.

Runs the real hub in-process (pytest-homeassistant-custom-component's test Home Assistant on a
temporary config dir) with two ``folder`` cameras, one without and one with direction OCR, and
writes copies of the real Hikvision picture (tests/fixtures/...B4DM3N...jpg, Apache-2.0) under
new names into the watched folders:

* sequential "closed": write + close one file, wait for the event entity's state, repeat;
* sequential "renamed in": write the file outside the folder, rename it in, wait, repeat;
* burst: write N files as fast as possible, wait for all of them; files/s = N / (last state -
  first write).

Latency = time.perf_counter() at the event entity's state change minus perf_counter() right
after close()/rename() returned (same process, same clock).

``--anpr2mqtt`` measures anpr2mqtt 1.1.5 side by side (file -> retained MQTT state message):
installs it from PyPI into ``bench/.anpr2mqtt-venv`` (Python 3.13) if missing, starts mosquitto
on a free loopback port, runs anpr2mqtt with the same two cameras (OCR off: ``ocr_field_ids``
empty; OCR on: its default ``hik_direction``), subscribes with paho-mqtt and times file -> state
message. Both systems run at the same time and are measured in alternating blocks of
``--block`` files, so a machine shared with other work loads both alike. anpr2mqtt runs with its
own defaults (``OMP_THREAD_LIMIT`` is not set for it). It never sees renamed-in files; its
renamed-in run stops after 10 losses in a row.

Usage::

    .venv/bin/python bench/folder_latency.py                       # 500 files, burst 200
    .venv/bin/python bench/folder_latency.py --files 50            # quick
    .venv/bin/python bench/folder_latency.py --anpr2mqtt           # side by side
    .venv/bin/python bench/folder_latency.py --single-call 20      # one tesseract call
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
import contextlib
from dataclasses import dataclass, field
import json
import logging
import os
from pathlib import Path
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

IMAGE = ROOT / "tests" / "fixtures" / "20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg"
A2M_VENV = ROOT / "bench" / ".anpr2mqtt-venv"
A2M_PYTHON = Path("/root/.pyenv/versions/3.13.0/bin/python3")
A2M_VERSION = "1.1.5"

# Files are written from one thread for both systems, the same way.
WRITER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bench-writer")
_SEQ = [0]


def next_name(tag: str) -> str:
    """A Hikvision custom name both parsers accept (17 digits, [A-Z0-9] plate), unique."""
    _SEQ[0] += 1
    base = 1_000_000 + _SEQ[0]
    stamp = f"2025060210{(base // 60000) % 60:02d}{(base // 1000) % 60:02d}{base % 1000:03d}"
    return f"{stamp}_{tag}{_SEQ[0]:06d}_VEHICLE_DETECTION.jpg"


def write_closed(path: Path, data: bytes) -> float:
    with open(path, "wb") as handle:
        handle.write(data)
    return time.perf_counter()


def write_renamed(staging: Path, path: Path, data: bytes) -> float:
    tmp = staging / path.name
    with open(tmp, "wb") as handle:
        handle.write(data)
    os.rename(tmp, path)
    return time.perf_counter()


def write_burst(folder: Path, names: list[str], data: bytes) -> float:
    start = time.perf_counter()
    for name in names:
        with open(folder / name, "wb") as handle:
            handle.write(data)
    return start


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index] * 1000


class Target:
    """A system under test: ``expect(name)`` gives a future resolved with the delivery time."""

    def __init__(self, label: str, loop: asyncio.AbstractEventLoop) -> None:
        self.label = label
        self.loop = loop
        self.waiting: dict[str, asyncio.Future[float]] = {}

    def key(self, name: str) -> str:
        return name

    def expect(self, name: str) -> asyncio.Future[float]:
        fut: asyncio.Future[float] = self.loop.create_future()
        self.waiting[self.key(name)] = fut
        return fut

    def resolve(self, key: str, when: float) -> None:
        fut = self.waiting.pop(key, None)
        if fut is not None and not fut.done():
            fut.set_result(when)


class HubTarget(Target):
    def key(self, name: str) -> str:
        return name.split("_")[1]  # the event entity carries the plate


@dataclass
class Camera:
    """One system in one mode, with its results."""

    target: Target
    ocr: bool
    folder: Path
    staging: Path
    closed: list[float] = field(default_factory=list)
    closed_lost: int = 0
    renamed: list[float] = field(default_factory=list)
    renamed_lost: int = 0
    renamed_tried: int = 0
    renamed_gave_up: bool = False
    renamed_lost_in_a_row: int = 0
    burst_delivered: int = 0
    burst_total: int = 0
    burst_rate: float = 0.0


async def warm_up(cam: Camera, data: bytes, attempts: int = 60) -> None:
    """Wait until the system reacts (it watches the folder), then two more files."""
    loop = asyncio.get_running_loop()
    ok = 0
    for _ in range(attempts):
        name = next_name("WARM")
        fut = cam.target.expect(name)
        await loop.run_in_executor(WRITER, write_closed, cam.folder / name, data)
        try:
            await asyncio.wait_for(fut, 2.0)
            ok += 1
            if ok == 3:
                return
        except TimeoutError:
            pass
    raise RuntimeError(f"{cam.target.label} does not deliver reads")


async def closed_block(cam: Camera, count: int, data: bytes, wait: float) -> None:
    loop = asyncio.get_running_loop()
    for _ in range(count):
        name = next_name("C")
        fut = cam.target.expect(name)
        t0 = await loop.run_in_executor(WRITER, write_closed, cam.folder / name, data)
        try:
            cam.closed.append(await asyncio.wait_for(fut, wait) - t0)
        except TimeoutError:
            cam.closed_lost += 1


async def renamed_block(cam: Camera, count: int, data: bytes, wait: float) -> None:
    loop = asyncio.get_running_loop()
    for _ in range(count):
        if cam.renamed_gave_up:
            return
        name = next_name("R")
        fut = cam.target.expect(name)
        t0 = await loop.run_in_executor(WRITER, write_renamed, cam.staging, cam.folder / name, data)
        cam.renamed_tried += 1
        try:
            cam.renamed.append(await asyncio.wait_for(fut, wait) - t0)
            cam.renamed_lost_in_a_row = 0
        except TimeoutError:
            cam.renamed_lost += 1
            cam.renamed_lost_in_a_row += 1
            if cam.renamed_lost_in_a_row >= 10:  # it does not see renamed files at all
                cam.renamed_gave_up = True


async def burst(cam: Camera, count: int, data: bytes, wait: float) -> None:
    loop = asyncio.get_running_loop()
    names = [next_name("B") for _ in range(count)]
    futures = [cam.target.expect(n) for n in names]
    start = await loop.run_in_executor(WRITER, write_burst, cam.folder, names, data)
    done, _pending = await asyncio.wait(futures, timeout=max(wait, count * 1.0))
    cam.burst_total = count
    cam.burst_delivered = len(done)
    if done:
        cam.burst_rate = len(done) / (max(f.result() for f in done) - start)


async def interleaved(args: argparse.Namespace, cams: list[Camera], data: bytes) -> None:
    """Measure ``cams`` (same mode, different systems) in alternating blocks."""
    for cam in cams:
        await warm_up(cam, data)
    for index, start in enumerate(range(0, args.files, args.block)):
        order = cams if index % 2 == 0 else list(reversed(cams))
        for cam in order:
            await closed_block(cam, min(args.block, args.files - start), data, args.timeout)
    for index, start in enumerate(range(0, args.renamed, args.block)):
        order = cams if index % 2 == 0 else list(reversed(cams))
        for cam in order:
            await renamed_block(cam, min(args.block, args.renamed - start), data, args.timeout)
    for cam in cams:
        await asyncio.sleep(1.0)
        await burst(cam, args.burst, data, args.timeout)


# --------------------------------------------------------------------------- anpr2mqtt


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_anpr2mqtt() -> Path:
    python = A2M_VENV / "bin" / "python"
    check = [str(python), "-c", "import importlib.metadata as m; print(m.version('anpr2mqtt'))"]
    if python.exists():
        out = subprocess.run(check, capture_output=True, text=True, check=False)
        if out.stdout.strip() == A2M_VERSION:
            return python
    print(f"installing anpr2mqtt=={A2M_VERSION} into {A2M_VENV} ...", flush=True)
    subprocess.run([str(A2M_PYTHON), "-m", "venv", str(A2M_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", f"anpr2mqtt=={A2M_VERSION}"], check=True
    )
    return python


@dataclass
class Anpr2mqtt:
    port: int
    folders: dict[bool, Path]


@contextlib.contextmanager
def anpr2mqtt_running(modes: list[bool], tmp: Path) -> Iterator[Anpr2mqtt]:
    """Start mosquitto and anpr2mqtt watching one folder per mode; stop both at the end."""
    python = ensure_anpr2mqtt()
    port = free_port()
    conf = tmp / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n"
    )
    procs: list[subprocess.Popen[bytes]] = []
    try:
        procs.append(
            subprocess.Popen(
                ["mosquitto", "-c", str(conf)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        for _ in range(50):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.1)
        folders = {ocr: tmp / ("a2m_ocr" if ocr else "a2m_plain") for ocr in modes}
        for folder_path in folders.values():
            folder_path.mkdir()
            (folder_path.parent / (folder_path.name + "_staging")).mkdir()
        events = [
            {
                "camera": "benchocr" if ocr else "bench",
                "watch_path": str(folders[ocr]),
                "ocr_field_ids": ["hik_direction"] if ocr else [],
                "autoclear": {"enabled": False},
            }
            for ocr in modes
        ]
        env = {k: v for k, v in os.environ.items() if k != "OMP_THREAD_LIMIT"}
        env.update(
            {
                "MQTT__HOST": "127.0.0.1",
                "MQTT__PORT": str(port),
                "MQTT__USER": "bench",
                "MQTT__PASS": "bench",
                "EVENTS": json.dumps(events),
                "TRACKER__DATA_DIR": str(tmp / "a2m_data"),
                "DVLA__CACHE_TYPE": "memory",
                "LOG_LEVEL": "WARNING",
            }
        )
        (tmp / "a2m_data").mkdir()
        with open(tmp / "anpr2mqtt.log", "wb") as log:
            procs.append(
                subprocess.Popen(
                    [str(python), "-m", "anpr2mqtt"],
                    cwd=tmp,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        yield Anpr2mqtt(port, folders)
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()


# --------------------------------------------------------------------------- the run


async def run(
    args: argparse.Namespace, data: bytes, tmp: Path, a2m: Anpr2mqtt | None
) -> list[Camera]:
    from homeassistant import loader  # noqa: PLC0415
    from homeassistant.const import EVENT_STATE_CHANGED  # noqa: PLC0415
    from homeassistant.core import Event, callback  # noqa: PLC0415
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        async_test_home_assistant,
    )

    from tests.helpers import async_add_camera, async_setup_hub  # noqa: PLC0415

    loop = asyncio.get_running_loop()
    config_dir = tmp / "config"
    config_dir.mkdir()
    results: list[Camera] = []
    client: Any = None
    mqtt_target = Target(f"anpr2mqtt {A2M_VERSION}", loop)
    if a2m is not None:
        import paho.mqtt.client as mqtt  # noqa: PLC0415

        def on_message(_c: Any, _u: Any, msg: Any) -> None:
            when = time.perf_counter()
            try:
                payload = json.loads(msg.payload or b"{}")
            except ValueError:
                return
            if path := payload.get("file_path"):
                loop.call_soon_threadsafe(mqtt_target.resolve, os.path.basename(path), when)

        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench")
        client.on_message = on_message
        client.connect("127.0.0.1", a2m.port)
        client.subscribe("anpr2mqtt/+/cameras/+/state")
        client.loop_start()
    try:
        async with async_test_home_assistant(config_dir=str(config_dir)) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
            hass.config.allowlist_external_dirs = {str(tmp)}
            entry = await async_setup_hub(hass)
            hub_target = HubTarget("anpr (this integration)", loop)
            entity_ids = {"event.bench_plate", "event.benchocr_plate"}

            @callback
            def on_state(event: Event) -> None:
                if event.data["entity_id"] not in entity_ids:
                    return
                new = event.data.get("new_state")
                if new is not None and new.attributes.get("plate"):
                    hub_target.resolve(new.attributes["plate"], time.perf_counter())

            unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, on_state)
            for ocr in args.modes:
                folder = tmp / ("hub_ocr" if ocr else "hub_plain")
                staging = tmp / (folder.name + "_staging")
                folder.mkdir()
                staging.mkdir()
                await async_add_camera(
                    hass,
                    entry,
                    "folder",
                    {
                        "name": "BenchOcr" if ocr else "Bench",
                        "path": str(folder),
                        "time_zone": "UTC",
                        "repeat_window": 0,
                        "ocr": ocr,
                    },
                )
                await hass.async_block_till_done()
                cams = [Camera(hub_target, ocr, folder, staging)]
                if a2m is not None:
                    a_folder = a2m.folders[ocr]
                    cams.append(
                        Camera(
                            mqtt_target,
                            ocr,
                            a_folder,
                            a_folder.parent / (a_folder.name + "_staging"),
                        )
                    )
                await interleaved(args, cams, data)
                results += cams
            unsub()
            if args.verbose:
                for camera in entry.runtime_data.cameras.values():
                    if camera.source is not None:
                        print(camera.name, camera.source.diagnostics())
            await hass.config_entries.async_unload(entry.entry_id)
            await hass.async_block_till_done()
    finally:
        if client is not None:
            client.loop_stop()
            client.disconnect()
    return results


# --------------------------------------------------------------------------- one OCR call


def single_call(calls: int) -> str:
    """One pytesseract call on the real band crop, with and without ``OMP_THREAD_LIMIT=1``."""
    import pytesseract  # noqa: PLC0415

    from custom_components.anpr.protocols import ocr  # noqa: PLC0415

    field_ = ocr.OcrField()
    with ocr.decode_image(IMAGE.read_bytes()) as image:
        crop = ocr.crop_field(image, field_)
    saved = os.environ.pop("OMP_THREAD_LIMIT", None)
    lines = ["| OMP_THREAD_LIMIT | one call p50 ms | p90 ms | text |", "|---|---|---|---|"]
    try:
        for limit in (None, "1", None, "1"):
            if limit is None:
                os.environ.pop("OMP_THREAD_LIMIT", None)
            else:
                os.environ["OMP_THREAD_LIMIT"] = limit
            times = []
            text = ""
            for _ in range(calls):
                start = time.perf_counter()
                text = pytesseract.image_to_string(crop, config=f"--psm {field_.psm}").strip()
                times.append(time.perf_counter() - start)
            lines.append(
                f"| {limit or 'unset'} | {pct(times, 50):.0f} | {pct(times, 90):.0f} | {text} |"
            )
    finally:
        os.environ.pop("OMP_THREAD_LIMIT", None)
        if saved is not None:
            os.environ["OMP_THREAD_LIMIT"] = saved
    return "\n".join(lines)


# --------------------------------------------------------------------------- report


def table(results: list[Camera]) -> str:
    head = (
        "| system | OCR | closed p50 ms | closed p99 ms | n | renamed-in p50 ms | renamed-in lost "
        "| burst delivered | burst files/s |"
    )
    lines = [head, "|" + "---|" * 9]
    for r in results:
        renamed = f"{pct(r.renamed, 50):.1f}" if r.renamed else "-"
        lost = f" ({r.closed_lost} lost)" if r.closed_lost else ""
        lines.append(
            f"| {r.target.label} | {'on' if r.ocr else 'off'} | {pct(r.closed, 50):.1f} | "
            f"{pct(r.closed, 99):.1f} | {len(r.closed)}{lost} | {renamed} | "
            f"{r.renamed_lost}/{r.renamed_tried} | {r.burst_delivered}/{r.burst_total} | "
            f"{r.burst_rate:.1f} |"
        )
    return "\n".join(lines)


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=500, help="sequential files per mode")
    parser.add_argument(
        "--renamed", type=int, default=None, help="renamed-in files (default = --files)"
    )
    parser.add_argument("--burst", type=int, default=200, help="files in the burst")
    parser.add_argument("--block", type=int, default=50, help="files per alternating block")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait per file")
    parser.add_argument("--no-ocr", dest="ocr", action="store_false", help="skip the OCR runs")
    parser.add_argument("--ocr-only", action="store_true", help="only the OCR runs")
    parser.add_argument("--anpr2mqtt", action="store_true", help="measure anpr2mqtt side by side")
    parser.add_argument("--verbose", action="store_true", help="print the sources' diagnostics")
    parser.add_argument(
        "--ocr-engine",
        choices=["auto", "command"],
        default="auto",
        help="auto: the tesseract library when installed (the default in Home Assistant); "
        "command: hide the library, so every read runs the tesseract program",
    )
    parser.add_argument(
        "--single-call",
        type=int,
        default=0,
        metavar="N",
        help="only time N single tesseract calls with and without OMP_THREAD_LIMIT=1",
    )
    args = parser.parse_args()
    if args.ocr_engine == "command":
        sys.modules["tesserocr"] = None  # type: ignore[assignment]  # as if not installed
    if args.single_call:
        print(single_call(args.single_call))
        print(f"\n(load average {load()}; 2 alternating rounds each)")
        return
    if args.renamed is None:
        args.renamed = args.files
    args.modes = [True] if args.ocr_only else ([False, True] if args.ocr else [False])
    logging.basicConfig(level=logging.ERROR)
    data = IMAGE.read_bytes()
    started = time.perf_counter()
    load_start = load()
    with tempfile.TemporaryDirectory(prefix="anpr-bench-") as tmp_name:
        tmp = Path(tmp_name)
        with contextlib.ExitStack() as stack:
            a2m = None
            if args.anpr2mqtt:
                a2m_tmp = tmp / "a2m"
                a2m_tmp.mkdir()
                a2m = stack.enter_context(anpr2mqtt_running(args.modes, a2m_tmp))
            hub_tmp = tmp / "hub"
            hub_tmp.mkdir()
            results = asyncio.run(run(args, data, hub_tmp, a2m))
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(
        f"folder watch -> event entity / MQTT state; picture {IMAGE.name} ({len(data)} bytes); "
        f"{os.cpu_count()} cores; our tesseract runs with OMP_THREAD_LIMIT="
        f"{os.environ.get('OMP_THREAD_LIMIT', '1')}; OCR engine: {args.ocr_engine}"
    )
    print(table(results))
    print(
        f"\n(total {time.perf_counter() - started:.0f} s; load average at start {load_start}, "
        f"at end {load()})"
    )


if __name__ == "__main__":
    main()
