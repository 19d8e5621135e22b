"""Dahua ITC event stream read -> event entity state latency, and a burst, on loopback.

Runs the real hub in-process (pytest-homeassistant-custom-component's test Home Assistant on a
temporary config dir) with ``dahua`` cameras connected over real sockets (httpx, digest auth) to
tools/emulators/dahua.py. For each read the emulator writes one TrafficJunction event onto the
open stream; latency = ``time.perf_counter()`` when the camera's event entity changes minus
``perf_counter()`` just before the emulator queued the bytes (same process, same clock).

Variants (each its own camera and emulator):

* ``snapManager + picture``: the flattened event text and the 148 KB real JPEG in the same
  stream; the read is complete when the picture has arrived.
* ``eventManager``: event text only, *Fetch a picture* off (the target excludes picture fetches).
* ``eventManager + snapshot.cgi``: the same with the picture fetched after each read (for
  reference: it includes one HTTP round trip with digest auth).

Burst: N events written back to back; reads/s = N / (last state - first write).

Usage::

    .venv/bin/python bench/dahua_latency.py              # 300 reads per variant, burst 200
    .venv/bin/python bench/dahua_latency.py --reads 50   # quick
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field
import logging
from pathlib import Path
import statistics
import sys
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    lost: int = 0
    burst_total: int = 0
    burst_delivered: int = 0
    burst_rate: float = 0.0


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index] * 1000


class Waiter:
    """Resolves a future when an event entity shows a given plate."""

    def __init__(self) -> None:
        self.futures: dict[str, asyncio.Future[float]] = {}

    def expect(self, plate: str) -> asyncio.Future[float]:
        fut: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.futures[plate] = fut
        return fut

    def resolve(self, plate: str, when: float) -> None:
        fut = self.futures.pop(plate, None)
        if fut is not None and not fut.done():
            fut.set_result(when)


VARIANTS = [
    # name, camera name, snapManager offered, fetch snapshot
    ("snapManager + picture", "Snap", True, False),
    ("eventManager (no picture fetch)", "Event", False, False),
    ("eventManager + snapshot.cgi fetch", "Fetch", False, True),
]


async def run(args: argparse.Namespace, tmp: Path) -> list[Result]:
    from homeassistant import loader  # noqa: PLC0415
    from homeassistant.const import EVENT_STATE_CHANGED  # noqa: PLC0415
    from homeassistant.core import Event, callback  # noqa: PLC0415
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        async_test_home_assistant,
    )

    from tests.helpers import async_add_camera, async_setup_hub  # noqa: PLC0415
    from tools.emulators.dahua import DahuaEmulator  # noqa: PLC0415

    results: list[Result] = []
    async with async_test_home_assistant(config_dir=str(tmp)) as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        waiter = Waiter()

        @callback
        def on_state(event: Event) -> None:
            if not event.data["entity_id"].startswith("event."):
                return
            new = event.data.get("new_state")
            if new is not None and new.attributes.get("plate"):
                waiter.resolve(new.attributes["plate"], time.perf_counter())

        unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, on_state)
        entry = await async_setup_hub(hass)
        counter = [0]

        def next_plate(prefix: str) -> str:
            # Valid GB plates (the emulator reports country GBR; the pipeline would otherwise
            # correct e.g. 0/O to the GB format and the waiter would miss the plate).
            counter[0] += 1
            n = counter[0]
            letters = "".join(chr(65 + (n // 100 // 26**k) % 26) for k in range(3))
            return f"{prefix}A{n % 100:02d}{letters}"

        for name, camera, snap, fetch in VARIANTS:
            emu = DahuaEmulator(snap_manager=snap, serial=f"7J0BENCH{camera.upper()}")
            await emu.start()
            await async_add_camera(
                hass, entry, "dahua",
                {
                    "name": camera, "host": "127.0.0.1", "port": emu.port, "ssl": False,
                    "verify_ssl": True, "username": emu.username, "password": emu.password,
                    "channel": 1, "obverse_direction": "in", "fetch_snapshot": fetch,
                    "repeat_window": 0, "min_confidence": 0, "direction_mode": "as_reported",
                },
            )
            while emu.connections() < 1:  # noqa: ASYNC110 - set by the emulator socket
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.3)
            result = Result(name)
            for i in range(args.warmup + args.reads):
                plate = next_plate("W" if i < args.warmup else "S")
                fut = waiter.expect(plate)
                start = time.perf_counter()
                await emu.push_event(plate)
                try:
                    done = await asyncio.wait_for(fut, args.timeout)
                except TimeoutError:
                    result.lost += 1
                    continue
                if i >= args.warmup:
                    result.latencies.append(done - start)
            plates = [next_plate("B") for _ in range(args.burst)]
            futs = [waiter.expect(p) for p in plates]
            start = time.perf_counter()
            for plate in plates:
                await emu.push_event(plate)
            done_set, _pending = await asyncio.wait(futs, timeout=args.timeout + 20)
            result.burst_total = len(plates)
            result.burst_delivered = len(done_set)
            if done_set:
                last = max(f.result() for f in done_set)
                result.burst_rate = len(done_set) / max(last - start, 1e-9)
            for plate in plates:
                waiter.futures.pop(plate, None)
            results.append(result)
            await emu.stop()
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()
        unsub()
    return results


def table(results: list[Result]) -> str:
    lines = [
        "| variant | p50 ms | p99 ms | mean ms | reads | lost | burst delivered | burst reads/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        mean = statistics.fmean(r.latencies) * 1000 if r.latencies else float("nan")
        lines.append(
            f"| {r.name} | {pct(r.latencies, 50):.2f} | {pct(r.latencies, 99):.2f} | "
            f"{mean:.2f} | {len(r.latencies)} | {r.lost} | "
            f"{r.burst_delivered}/{r.burst_total} | {r.burst_rate:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        results = asyncio.run(run(args, Path(tmp)))
    print(table(results))


if __name__ == "__main__":
    main()
