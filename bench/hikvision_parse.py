"""Hikvision alertStream parse throughput: our streaming path vs a naive buffer-and-find client.

Synthetic alertStream (tools/emulators/hikvision.py framing: ``multipart/mixed``, literal
``boundary``, Content-Length including the CRLF): per event one ANPR ``EventNotificationAlert``
(~2.3 KB), the real Hikvision JPEG (148,756 B, Apache-2.0 fixture) as detection picture, a 12 KB
plate crop, and a videoloss heartbeat part. The block is repeated up to each target size and fed
in fixed-size reads.

* ours: ``MultipartStreamParser.feed`` + ``HikvisionEventAssembler.add`` (XML parsed with
  defusedxml, pictures linked to reads) -> PlateRead objects;
* naive: the alertStream client most public examples use, re-implemented (``buffer += chunk``
  then ``buffer.find(boundary)`` from the start on every 1 KB read, a regex for the XML,
  ElementTree where they use xmltodict); it does the same work minus picture linking.

Columns: MB/s and ms per MB for 1 → 200 MB streams (flat ms/MB = linear), then one big part
(1 → 8 MB) where re-scanning a growing buffer turns quadratic.

Run: ``.venv/bin/python bench/hikvision_parse.py`` (``--sizes 1,10 --part-sizes 1,2`` to be quick).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
import re
import sys
import time
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from custom_components.anpr.protocols.hikvision.assembler import (  # noqa: E402
    HikvisionEventAssembler,
)
from custom_components.anpr.protocols.multipart import MultipartStreamParser  # noqa: E402
from tools.emulators.hikvision import HikvisionEmulator  # noqa: E402

MB = 1024 * 1024


def event_block() -> bytes:
    """One ANPR event with two pictures plus one heartbeat, framed like a camera does."""
    emu = HikvisionEmulator()
    emu.port = 80
    plate_crop = emu.jpeg[:12_000] + b"\xff\xd9"
    data = emu._anpr_part(
        "B4DM3N", "forward", 93, "0f6c1f7e0d3e4c579a431b9b7c2d8e11", None,
        ("detectionPicture.jpg",),
    )
    emu.jpeg = plate_crop
    data += emu._anpr_part(  # second event: plate crop only
        "DK18HVX", "reverse", 88, "1f6c1f7e0d3e4c579a431b9b7c2d8e11", None,
        ("licensePlatePicture.jpg",),
    )
    data += emu._frame(
        {"Content-Type": 'application/xml; charset="UTF-8"'}, emu.heartbeat_xml()
    )
    return data


def stream_of(size: int, block: bytes) -> bytes:
    """Repeat the block with a fresh UUID per event (real cameras never repeat one)."""
    count = max(1, size // len(block))
    first = block.split(b"0f6c1f7e")
    pieces = []
    for n in range(count):
        text = (b"%08x" % n).join(first)
        pieces.append(text.replace(b"1f6c1f7e", b"%08x" % (n + 1 << 28)))
    return b"".join(pieces) + b"--boundary\r\n"


def run_ours(data: bytes, read_size: int) -> tuple[float, int]:
    parser = MultipartStreamParser("boundary")
    assembler = HikvisionEventAssembler()
    reads = 0
    view = memoryview(data)
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(data), read_size):
        for part in parser.feed(view[i : i + read_size]):
            reads += len(assembler.add(part))
    reads += len(assembler.flush())
    return time.perf_counter() - start, time.process_time() - cpu, reads


_XML_RE = re.compile(rb"<EventNotificationAlert.*?</EventNotificationAlert>", re.DOTALL)


def run_naive(data: bytes, read_size: int = 1024) -> tuple[float, int]:
    """The naive client's loop, minus saving files; counts ANPR reads."""
    boundary = b"boundary"
    reads = 0
    images = 0
    buffer = b""
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(data), read_size):
        chunk = data[i : i + read_size]
        buffer += chunk
        while True:
            index = buffer.find(boundary)
            if index == -1:
                break
            part = buffer[:index]
            buffer = buffer[index + len(boundary) + 2 :]
            if b"Content-Type: application/xml" in part:
                match = _XML_RE.search(part)
                if match:
                    root = ElementTree.fromstring(match.group(0))
                    ns = root.tag.partition("}")[0] + "}" if "}" in root.tag else ""
                    if root.findtext(f"{ns}eventType") == "ANPR":
                        plate = root.findtext(f"{ns}ANPR/{ns}licensePlate")
                        reads += plate is not None
            elif b"Content-Type: image/jpeg" in part:
                end = part.find(b"\r\n\r\n")
                if end != -1 and part[end + 4 :]:
                    images += 1
    return time.perf_counter() - start, time.process_time() - cpu, reads


def table(title: str, rows: list[tuple[str, ...]], header: tuple[str, ...]) -> None:
    print(f"\n{title}")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))


def measure(
    fn: Callable[[], tuple[float, float, int]], repeat: int
) -> tuple[float, float, int]:
    """Best wall time and best CPU time of ``repeat`` runs, and the reads counted."""
    walls, cpus, reads = [], [], 0
    for _ in range(repeat):
        wall, cpu, reads = fn()
        walls.append(wall)
        cpus.append(cpu)
    return min(walls), min(cpus), reads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,50,100,200", help="stream sizes in MB")
    parser.add_argument("--part-sizes", default="1,2,4,8", help="single-part sizes in MB")
    parser.add_argument("--read-size", type=int, default=65536, help="bytes per read (ours)")
    parser.add_argument(
        "--naive-max", type=int, default=200, help="largest MB run for the naive client"
    )
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    block = event_block()
    rows: list[tuple[str, ...]] = []
    for size_mb in [int(s) for s in args.sizes.split(",")]:
        data = stream_of(size_mb * MB, block)
        real_mb = len(data) / MB
        repeat = args.repeat if size_mb <= 50 else 1
        ours, ours_cpu, ours_reads = measure(lambda d=data: run_ours(d, args.read_size), repeat)
        ours_1k, _, _ = measure(lambda d=data: run_ours(d, 1024), repeat)
        row = [
            f"{real_mb:.0f}",
            f"{real_mb / ours:.0f}",
            f"{real_mb / ours_cpu:.0f}",
            f"{ours_cpu * 1000 / real_mb:.2f}",
            f"{real_mb / ours_1k:.0f}",
        ]
        if size_mb <= args.naive_max:
            naive, naive_cpu, naive_reads = measure(lambda d=data: run_naive(d), 1)
            row += [f"{real_mb / naive_cpu:.0f}", f"{naive_cpu * 1000 / real_mb:.2f}"]
            assert naive_reads == ours_reads, (naive_reads, ours_reads)
        else:
            row += ["-", "-"]
        row.append(str(ours_reads))
        rows.append(tuple(row))
        del data
    table(
        f"alertStream throughput (events of {len(block) / 1024:.0f} KB; ours read size "
        f"{args.read_size} B and 1 KB, naive 1 KB; CPU = process time, robust to a busy machine)",
        rows,
        ("MB", "ours wall MB/s", "ours CPU MB/s", "ours CPU ms/MB", "ours@1K wall MB/s",
         "naive CPU MB/s", "naive CPU ms/MB", "reads"),
    )

    rows = []
    for size_mb in [int(s) for s in args.part_sizes.split(",")]:
        body = b"\xab" * (size_mb * MB)
        data = (
            b"--boundary\r\nContent-Type: image/jpeg\r\nContent-Length: "
            + str(len(body) + 2).encode() + b"\r\n\r\n" + body + b"\r\n--boundary\r\n"
        )
        start = time.process_time()
        p = MultipartStreamParser("boundary", max_part_size=64 * MB)
        for i in range(0, len(data), 1024):
            p.feed(data[i : i + 1024])
        ours = time.process_time() - start
        _, naive, _ = run_naive(data)
        rows.append((str(size_mb), f"{ours * 1000 / size_mb:.1f}", f"{naive * 1000 / size_mb:.1f}",
                     f"{naive / ours:.0f}x"))
    table("one part of N MB, 1 KB reads (CPU ms per MB; flat = linear)", rows,
          ("part MB", "ours ms/MB", "naive ms/MB", "naive/ours"))


if __name__ == "__main__":
    main()
