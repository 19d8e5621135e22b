"""Push/TCP kinds: read -> event entity latency per kind, and a 200 reads/s burst, on loopback.

Runs the real hub in-process (pytest-homeassistant-custom-component's test Home Assistant on a
temporary config dir) with three cameras, each fed over a real loopback socket by its emulator:

* ``http_push`` — HA's own aiohttp app served on 127.0.0.1 (the webhook view as in production),
  fed by tools/emulators/http_pusher.py in three formats: Milesight JSON with two base64 pictures,
  the plate-in-query GET, and NumberOK multipart (JSON + two pictures);
* ``milesight_tcp`` — our client logged in to tools/emulators/milesight_tcp.py (rev 1.6 metadata
  + plate crop + full picture per post);
* ``nvr_text`` — our listener fed by tools/emulators/nvr_text.py over one connection.

Latency = ``perf_counter()`` when ``event.<camera>_plate`` changes to the plate minus
``perf_counter()`` just before the emulator starts sending (same process, same clock), reads
sent one at a time. Burst: reads paced at ``--rate`` per second in total, round-robin over the
three kinds, for ``--seconds``; every read has a unique plate; delivered = ``anpr_plate_read``
bus events counted per kind after the run has drained.

Usage::

    .venv/bin/python bench/push_latency.py                    # 300 reads per kind, 200/s x 30 s
    .venv/bin/python bench/push_latency.py --reads 50 --seconds 5   # quick
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from dataclasses import dataclass, field
import logging
from pathlib import Path
import socket
import statistics
import sys
import tempfile
import time
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass
class Row:
    name: str
    latencies: list[float] = field(default_factory=list)
    lost: int = 0


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index] * 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


COMMON = {"repeat_window": 0, "min_confidence": 0, "direction_mode": "as_reported"}


async def run(args: argparse.Namespace, tmp: Path) -> tuple[list[Row], dict[str, Any]]:
    from aiohttp import web  # noqa: PLC0415
    from homeassistant import loader  # noqa: PLC0415
    from homeassistant.const import EVENT_STATE_CHANGED  # noqa: PLC0415
    from homeassistant.core import Event, callback  # noqa: PLC0415
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        async_test_home_assistant,
    )

    from custom_components.anpr.const import EVENT_PLATE_READ  # noqa: PLC0415
    from custom_components.anpr.sources.milesight_tcp import (  # noqa: PLC0415
        MilesightTcpSource,
    )
    from tests.helpers import async_add_camera, async_setup_hub  # noqa: PLC0415
    from tools.emulators.http_pusher import HttpPusher  # noqa: PLC0415
    from tools.emulators.milesight_tcp import MilesightCamera  # noqa: PLC0415
    from tools.emulators.nvr_text import NvrTextSender  # noqa: PLC0415

    MilesightTcpSource.backoff_initial = 0.05
    rows: list[Row] = []
    burst: dict[str, Any] = {}
    async with async_test_home_assistant(config_dir=str(tmp)) as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        waiter = Waiter()
        delivered: Counter[str] = Counter()
        kind_of_camera = {"Web": "http_push", "Tcp": "milesight_tcp", "Text": "nvr_text"}

        @callback
        def on_state(event: Event) -> None:
            if not str(event.data["entity_id"]).startswith("event."):
                return
            new = event.data.get("new_state")
            if new is not None and new.attributes.get("plate"):
                waiter.resolve(new.attributes["plate"], time.perf_counter())

        @callback
        def on_read(event: Event) -> None:
            delivered[kind_of_camera.get(event.data.get("camera", ""), "?")] += 1

        unsubs = [
            hass.bus.async_listen(EVENT_STATE_CHANGED, on_state),
            hass.bus.async_listen(EVENT_PLATE_READ, on_read),
        ]
        camera = MilesightCamera()
        await camera.start()
        text_port = free_port()
        entry = await async_setup_hub(hass)
        web_id = await async_add_camera(
            hass, entry, "http_push",
            {"name": "Web", "local_only": True, "secret": "", "max_body_mb": 20, **COMMON},
        )  # fmt: skip
        await async_add_camera(
            hass, entry, "milesight_tcp",
            {"name": "Tcp", "host": "127.0.0.1", "port": camera.port, "username": "admin",
             "password": camera.password, **COMMON},
        )  # fmt: skip
        await async_add_camera(
            hass, entry, "nvr_text",
            {"name": "Text", "host": "127.0.0.1", "port": text_port, "start_string": "<LPR>",
             "end_string": "</LPR>", "encoding": "US-ASCII", "idle_timeout": 600,
             "max_connections": 4, **COMMON},
        )  # fmt: skip
        runner = web.AppRunner(hass.http.app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        http_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        webhook_id = entry.subentries[web_id].data["webhook_id"]
        pusher = HttpPusher(f"http://127.0.0.1:{http_port}/api/webhook/{webhook_id}")
        sender = NvrTextSender(port=text_port)
        await sender.connect()
        # Wait for OUR login (the flow's validation login also counts as a camera client).
        while hass.states.get("binary_sensor.tcp_connectivity").state != "on":  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)
        counter = [0]

        def next_plate(prefix: str) -> str:
            """A unique plate in the current UK format (the pipeline leaves it unchanged)."""
            counter[0] += 1
            n = counter[0]
            tail = "".join(chr(65 + (n // 100 // 26**k) % 26) for k in range(3))
            return f"{prefix}X{n % 100:02d}{tail}"

        async def send_json(plate: str) -> None:
            await pusher.push("milesight_legacy", plate)

        async def send_query(plate: str) -> None:
            await pusher.push("query", plate)

        async def send_numberok(plate: str) -> None:
            await pusher.push("numberok", plate, car_id=plate)

        async def send_tcp(plate: str) -> None:
            await camera.send_read(plate)

        async def send_text(plate: str) -> None:
            await sender.send(plate)

        senders = {
            "http_push JSON + 2 base64 pictures": send_json,
            "http_push GET ?Caption=LPR": send_query,
            "http_push NumberOK multipart + 2 pictures": send_numberok,
            "milesight_tcp rev 1.6 + 2 pictures": send_tcp,
            "nvr_text <LPR>": send_text,
        }
        for name, send in senders.items():
            row = Row(name)
            for i in range(args.warmup + args.reads):
                plate = next_plate("W" if i < args.warmup else "S")
                fut = waiter.expect(plate)
                start = time.perf_counter()
                await send(plate)
                try:
                    done = await asyncio.wait_for(fut, args.timeout)
                except TimeoutError:
                    row.lost += 1
                    waiter.futures.pop(plate, None)
                    continue
                if i >= args.warmup:
                    row.latencies.append(done - start)
            rows.append(row)

        # Burst: paced round-robin over the three kinds.
        delivered.clear()
        sent: Counter[str] = Counter()
        kinds = [("http_push", send_json), ("milesight_tcp", send_tcp), ("nvr_text", send_text)]
        total = int(args.rate * args.seconds)
        interval = 1.0 / args.rate
        inflight: set[asyncio.Task[None]] = set()
        started = time.perf_counter()
        for index in range(total):
            kind, send = kinds[index % len(kinds)]
            plate = next_plate("B")
            task = asyncio.create_task(send(plate))
            inflight.add(task)
            task.add_done_callback(inflight.discard)
            sent[kind] += 1
            target = started + (index + 1) * interval
            delay = target - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        send_done = time.perf_counter()
        if inflight:
            await asyncio.wait(inflight)
        deadline = time.perf_counter() + args.timeout + 10
        while sum(delivered.values()) < total and time.perf_counter() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        await hass.async_block_till_done()
        burst = {
            "sent": dict(sent),
            "delivered": dict(delivered),
            "seconds": send_done - started,
            "rate": total / max(send_done - started, 1e-9),
        }
        await sender.close()
        await pusher.close()
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()
        await runner.cleanup()
        await camera.stop()
        for unsub in unsubs:
            unsub()
    return rows, burst


def table(rows: list[Row], burst: dict[str, Any]) -> str:
    lines = [
        "| kind / format | p50 ms | p99 ms | mean ms | reads | lost |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        mean = statistics.fmean(r.latencies) * 1000 if r.latencies else float("nan")
        lines.append(
            f"| {r.name} | {pct(r.latencies, 50):.2f} | {pct(r.latencies, 99):.2f} | "
            f"{mean:.2f} | {len(r.latencies)} | {r.lost} |"
        )
    lines += [
        "",
        f"Burst: {sum(burst['sent'].values())} reads in {burst['seconds']:.1f} s "
        f"({burst['rate']:.0f} reads/s offered, round-robin over the three kinds)",
        "",
        "| kind | sent | delivered | lost |",
        "|---|---|---|---|",
    ]
    for kind, count in burst["sent"].items():
        got = burst["delivered"].get(kind, 0)
        lines.append(f"| {kind} | {count} | {got} | {count - got} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.debug:
        logging.getLogger("custom_components.anpr").setLevel(logging.DEBUG)
    with tempfile.TemporaryDirectory() as tmp:
        rows, burst = asyncio.run(run(args, Path(tmp)))
    print(table(rows, burst))


if __name__ == "__main__":
    main()
