"""NVR "text device" sender, like NumberOK EDGE's "Send to NVR" reaction.

Format: ``docs/protocols.md``, "NVR text device".

Connects to a listener and writes ``<LPR>PLATE</LPR>`` (start/end strings and encoding
configurable). :meth:`NvrTextSender.send` can put several reads in one TCP write, split a read
across writes, or add noise between reads, to exercise the decoder.

CLI: ``python -m tools.emulators.nvr_text --port 7001 --plates AB12CDE,KM19XYZ --interval 5``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools


class NvrTextSender:
    """One TCP connection to an NVR text listener."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 7001,
        start: str = "<LPR>",
        end: str = "</LPR>",
        encoding: str = "ascii",
    ) -> None:
        """Target and framing."""
        self.host = host
        self.port = port
        self.start = start
        self.end = end
        self.encoding = encoding
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    def frame(self, plate: str) -> bytes:
        """Return one read as bytes: start string, plate, end string."""
        return f"{self.start}{plate}{self.end}".encode(self.encoding)

    async def connect(self) -> None:
        """Open the connection."""
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def write(self, data: bytes) -> None:
        """Write raw bytes (connects on demand)."""
        if self._writer is None:
            await self.connect()
        assert self._writer is not None
        self._writer.write(data)
        await self._writer.drain()

    async def send(
        self, *plates: str, split_at: int | None = None, pause: float = 0.02, noise: bytes = b""
    ) -> None:
        """Send ``plates`` in ONE write (several reads per packet), optionally split in two
        writes at byte ``split_at`` with ``pause`` seconds between, and ``noise`` between reads.
        """
        data = noise.join(self.frame(p) for p in plates)
        if split_at is None:
            await self.write(data)
            return
        await self.write(data[:split_at])
        await asyncio.sleep(pause)
        await self.write(data[split_at:])

    async def closed_by_peer(self, wait: float = 5.0) -> bool:
        """Wait until the listener closes the connection (EOF); False on timeout."""
        if self._reader is None:
            return False
        try:
            async with asyncio.timeout(wait):
                while await self._reader.read(1024):
                    pass
        except TimeoutError:
            return False
        except OSError:
            return True
        return True

    async def close(self) -> None:
        """Close the connection."""
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
            self._writer = None
            self._reader = None


async def _main(args: argparse.Namespace) -> None:
    sender = NvrTextSender(args.host, args.port, args.start, args.end, args.encoding)
    plates = args.plates.split(",")
    try:
        for index in itertools.count():
            plate = plates[index % len(plates)]
            try:
                await sender.send(plate)
                print(f"sent {plate}", flush=True)
            except OSError as err:
                print(f"cannot send: {err}", flush=True)
                await sender.close()
            await asyncio.sleep(args.interval)
    finally:
        await sender.close()


def main() -> None:
    """Run the sender from the command line."""
    parser = argparse.ArgumentParser(description="Send plates to an NVR text listener")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7001)
    parser.add_argument("--start", default="<LPR>")
    parser.add_argument("--end", default="</LPR>")
    parser.add_argument("--encoding", default="ascii")
    parser.add_argument("--plates", default="AB12CDE,KM19XYZ")
    parser.add_argument("--interval", type=float, default=5.0)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
