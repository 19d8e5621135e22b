"""ONVIF benchmark: plate sent by the camera -> event entity state, on loopback.

Runs the real hub in-process (pytest-homeassistant-custom-component's test Home Assistant on a
temporary config dir) with one ``onvif`` camera pointed at ``tools.emulators.onvif``, which runs
as its own process like a separate device (``--camera thread``: a thread of this process, which
then shares the GIL with the hub); real sockets on 127.0.0.1, 2 shared cores. For every
transport/picture combination:

* sequential: the emulator writes one metadata document (RTP-over-TCP interleaved, split into
  200-byte RTP payloads, marker bit on the last) or queues one PullPoint notification; we wait
  for the ``event.bench_plate`` state carrying that plate; repeat;
* burst: N plates written back to back; all must arrive (none lost); reads/s = N / (last state
  - first write).

Latency = ``time.perf_counter()`` at the event entity's state change minus ``perf_counter()``
taken right before the camera is told to send (process mode: before the command goes to its
control port, so the hop is included; thread mode: in the camera's loop right before it writes).
"no picture" runs are the target in bench/README.md (p50 <= 5 ms excluding the picture fetch);
"picture" runs include the HTTP Digest fetch of the plate picture (the read is delivered after
its fetch). "source p50" is the part spent before the ONVIF source hands the read to the hub
(socket, RTP reassembly, XML parse, picture fetch); the rest is the hub's pipeline and entity
update.

Usage::

    .venv/bin/python bench/onvif_latency.py              # 300 reads 20 ms apart, burst 200
    .venv/bin/python bench/onvif_latency.py --camera thread   # emulator in this process
    .venv/bin/python bench/onvif_latency.py --reads 50     # quick
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field
import logging
import os
from pathlib import Path
import socket
import statistics
import sys
import tempfile
import threading
import time
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass
class Result:
    transport: str
    picture: bool
    latencies: list[float] = field(default_factory=list)
    to_deliver: list[float] = field(default_factory=list)
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


class CameraThread:
    """The emulator in its own thread and event loop, like a separate device on the network."""

    def __init__(self, **options: Any) -> None:
        from tools.emulators.onvif import OnvifCameraEmulator  # noqa: PLC0415

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="camera", daemon=True)
        self.thread.start()
        self.emu = OnvifCameraEmulator(**options)
        self.sent: dict[str, float] = {}

    async def call(self, coro: Any) -> Any:
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    def send(self, plates: list[str], picture: bool) -> None:
        """Send plates from the camera's loop; stamp each right before its bytes go out."""

        def send_all() -> None:
            for plate in plates:
                self.sent[plate] = time.perf_counter()
                self.emu.send_plate(plate, fmt="hikvision", picture=picture)

        self.loop.call_soon_threadsafe(send_all)

    async def close(self) -> None:
        await self.call(self.emu.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        await asyncio.to_thread(self.thread.join)
        self.loop.close()


class CameraProcess:
    """The emulator as its own process (``python -m tools.emulators.onvif``), driven over its
    control port; the send time is stamped before the command is written (conservative: it
    includes the hop to the camera process)."""

    def __init__(self, *, metadata_track: bool) -> None:
        self.metadata_track = metadata_track
        self.sent: dict[str, float] = {}
        self.proc: asyncio.subprocess.Process | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.http_port = 0

    async def start(self) -> None:
        rtsp_port, self.http_port = free_port(), free_port()
        cmd = [
            sys.executable, "-m", "tools.emulators.onvif", "--port", str(rtsp_port),
            "--http-port", str(self.http_port), "--interval", "0", "--control-port", "0",
            "--username", "admin", "--password", "secret",
        ]  # fmt: skip
        if not self.metadata_track:
            cmd.append("--no-metadata")
        self.proc = await asyncio.create_subprocess_exec(
            *cmd, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
        )
        assert self.proc.stdout is not None
        control = 0
        async with asyncio.timeout(60):
            while not control:
                line = (await self.proc.stdout.readline()).decode()
                if line.startswith("control port"):
                    control = int(line.split()[-1])
        _reader, self.writer = await asyncio.open_connection("127.0.0.1", control)

    def send(self, plates: list[str], picture: bool) -> None:
        assert self.writer is not None
        for plate in plates:
            self.sent[plate] = time.perf_counter()
            self.writer.write(f"{plate} hikvision {int(picture)}\n".encode())

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.proc is not None:
            self.proc.terminate()
            await self.proc.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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

    from custom_components.anpr.sources import onvif  # noqa: PLC0415
    from tests.helpers import async_add_camera, async_setup_hub  # noqa: PLC0415

    onvif.PULL_WAIT = 1.0  # a waiting long poll answers at once; this only bounds idle polls
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
        counter = [0]
        for transport in args.transports:
            device: CameraThread | CameraProcess
            if args.camera == "thread":
                device = CameraThread(chunk_size=200, metadata_track=transport == "rtsp")
                await device.call(device.emu.start())
                http_port = device.emu.http_port
            else:
                device = CameraProcess(metadata_track=transport == "rtsp")
                await device.start()
                http_port = device.http_port
            entry = await async_setup_hub(hass)
            await async_add_camera(
                hass,
                entry,
                "onvif",
                {
                    "name": "Bench",
                    "host": "127.0.0.1",
                    "port": http_port,
                    "username": "admin",
                    "password": "secret",
                    "mode": transport,
                    "repeat_window": 0,
                },
            )
            await hass.async_block_till_done()
            async with asyncio.timeout(30):
                while (state := hass.states.get("binary_sensor.bench_connectivity")) is None or (  # noqa: ASYNC110
                    state.state != "on"
                ):
                    await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)
            # Where the time goes: also stamp the moment the source hands the read to the hub.
            camera = next(iter(entry.runtime_data.cameras.values()))
            source = camera.source
            assert source is not None
            delivered: dict[str, float] = {}
            hub_deliver = source.ctx.deliver

            def stamped(
                read: Any, hub_deliver: Any = hub_deliver, stamps: dict[str, float] = delivered
            ) -> None:
                stamps[read.plate] = time.perf_counter()
                hub_deliver(read)

            source.ctx.deliver = stamped

            def next_plate(prefix: str) -> str:
                counter[0] += 1
                return f"{prefix}{counter[0]:06d}"

            for picture in (False, True):
                result = Result(transport, picture)
                for i in range(args.warmup + args.reads):
                    plate = next_plate("W" if i < args.warmup else "S")
                    if args.gap:
                        await asyncio.sleep(args.gap)  # reads apart, as at a real gate
                    fut = waiter.expect(plate)
                    device.send([plate], picture)
                    try:
                        done = await asyncio.wait_for(fut, args.timeout)
                    except TimeoutError:
                        result.lost += 1
                        continue
                    start = device.sent.pop(plate)
                    if i >= args.warmup:
                        result.latencies.append(done - start)
                        result.to_deliver.append(delivered.pop(plate, done) - start)
                # burst
                plates = [next_plate("B") for _ in range(args.burst)]
                futs = [waiter.expect(p) for p in plates]
                device.send(plates, picture)
                done_set, _pending = await asyncio.wait(futs, timeout=args.timeout + 10)
                start = device.sent[plates[0]]
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
            await device.close()
        unsub()
    return results


def table(results: list[Result]) -> str:
    lines = [
        "| transport | picture | p50 ms | p99 ms | mean ms | source p50 ms | reads | lost"
        " | burst delivered | burst reads/s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        mean = statistics.fmean(r.latencies) * 1000 if r.latencies else float("nan")
        lines.append(
            f"| {r.transport} | {'fetched' if r.picture else 'none'} | {pct(r.latencies, 50):.2f} "
            f"| {pct(r.latencies, 99):.2f} | {mean:.2f} | {pct(r.to_deliver, 50):.2f} "
            f"| {len(r.latencies)} | {r.lost} | "
            f"{r.burst_delivered}/{r.burst_total} | {r.burst_rate:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reads", type=int, default=300, help="sequential reads per run")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--burst", type=int, default=200, help="reads in the burst")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait per read")
    parser.add_argument(
        "--camera",
        choices=["process", "thread"],
        default="process",
        help="run the camera emulator as its own process (default) or a thread of this one",
    )
    parser.add_argument(
        "--gap", type=float, default=0.02, help="seconds between sequential reads (0: back to back)"
    )
    parser.add_argument(
        "--transports", nargs="+", default=["rtsp", "pullpoint"], choices=["rtsp", "pullpoint"]
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="anpr-bench-onvif-") as tmp:
        results = asyncio.run(run(args, Path(tmp)))
    print()
    print(
        "ONVIF camera emulator (own thread and loop) -> event entity state, loopback; "
        f"{os.cpu_count()} cores; Hikvision-topic documents, 200-byte RTP payloads"
    )
    print(table(results))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n(total {time.perf_counter() - t0:.0f} s; load average at the end {load})")


if __name__ == "__main__":
    main()
