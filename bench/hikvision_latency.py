"""Hikvision alertStream read -> event entity state latency, and a burst, on loopback.

Runs the real hub in-process (pytest-homeassistant-custom-component's test Home Assistant on a
temporary config dir) with one ``hikvision`` camera in arming mode connected over a real socket
(httpx, digest auth) to tools/emulators/hikvision.py. For each read the emulator writes one ANPR
event onto the open alertStream; latency = ``time.perf_counter()`` when the event entity's state
changes minus ``perf_counter()`` just before the emulator queued the bytes (same process, same
clock). Variants: XML only (``picNum`` 0) and XML + two pictures (the 148 KB real JPEG as
detection picture and the plate crop; the read is complete when the last picture arrived).
Burst: N events written back to back; reads/s = N / (last state - first write).

Usage::

    .venv/bin/python bench/hikvision_latency.py              # 300 reads per variant, burst 200
    .venv/bin/python bench/hikvision_latency.py --reads 50   # quick
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
    pictures: int
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
    """Resolves a future when the event entity shows a given plate."""

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


async def run(args: argparse.Namespace, tmp: Path) -> list[Result]:
    from homeassistant import loader  # noqa: PLC0415
    from homeassistant.const import EVENT_STATE_CHANGED  # noqa: PLC0415
    from homeassistant.core import Event, callback  # noqa: PLC0415
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        async_test_home_assistant,
    )

    from tests.helpers import async_add_camera, async_setup_hub  # noqa: PLC0415
    from tools.emulators.hikvision import HikvisionEmulator  # noqa: PLC0415

    results: list[Result] = []
    async with async_test_home_assistant(config_dir=str(tmp)) as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        waiter = Waiter()

        @callback
        def on_state(event: Event) -> None:
            if event.data["entity_id"] != "event.bench_plate":
                return
            new = event.data.get("new_state")
            if new is not None and new.attributes.get("plate"):
                waiter.resolve(new.attributes["plate"], time.perf_counter())

        unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, on_state)
        emu = HikvisionEmulator()
        await emu.start()
        entry = await async_setup_hub(hass)
        await async_add_camera(
            hass,
            entry,
            "hikvision",
            {
                "name": "Bench", "host": "127.0.0.1", "port": emu.port, "ssl": False,
                "verify_ssl": True, "username": emu.username, "password": emu.password,
                "channel": 1, "mode": "arming", "configure_http_host": False,
                "catch_up": False, "repeat_window": 0, "min_confidence": 0,
                "direction_mode": "as_reported",
            },
        )
        while emu.connections < 1:  # noqa: ASYNC110 - set by the emulator socket
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)
        counter = [0]

        def next_plate(prefix: str) -> str:
            counter[0] += 1
            return f"{prefix}{counter[0]:05d}"

        variants = {0: (), 2: ("detectionPicture.jpg", "licensePlatePicture.jpg")}
        for count, pictures in variants.items():
            result = Result(count)
            for i in range(args.warmup + args.reads):
                plate = next_plate("W" if i < args.warmup else "S")
                fut = waiter.expect(plate)
                start = time.perf_counter()
                await emu.push_anpr(plate, pictures=pictures)
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
                await emu.push_anpr(plate, pictures=pictures)
            done_set, _pending = await asyncio.wait(futs, timeout=args.timeout + 20)
            result.burst_total = len(plates)
            result.burst_delivered = len(done_set)
            if done_set:
                last = max(f.result() for f in done_set)
                result.burst_rate = len(done_set) / max(last - start, 1e-9)
            for plate in plates:
                waiter.futures.pop(plate, None)
            results.append(result)
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()
        await emu.stop()
        unsub()
    return results


def table(results: list[Result]) -> str:
    lines = [
        "| pictures | p50 ms | p99 ms | mean ms | reads | lost | burst delivered | burst reads/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        mean = statistics.fmean(r.latencies) * 1000 if r.latencies else float("nan")
        lines.append(
            f"| {r.pictures} | {pct(r.latencies, 50):.2f} | {pct(r.latencies, 99):.2f} | "
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
