"""The folder source through the real hub: real files, real watchdog, real tesseract."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
import io
import logging
import os
from pathlib import Path
import shutil
import sys
import time
from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.util.dt import utcnow as dt_now
from PIL import Image
import pytesseract
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.anpr.const import DOMAIN, SUBENTRY_CAMERA
from custom_components.anpr.protocols import ocr
from custom_components.anpr.sources import folder

from .helpers import (
    PlateEvents,
    async_add_camera,
    async_setup_hub,
    image_bytes,
    start_camera_reconfigure,
)
from .test_protocol_ocr import band_picture

REAL = Path(__file__).parent / "fixtures" / "20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg"
LOGGER_NAME = "custom_components.anpr.sources.folder"


def small_jpeg(colour: tuple[int, int, int] = (10, 20, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


JPEG = small_jpeg()


def name(plate: str, ms: int = 407) -> str:
    return f"20250602103045{ms:03d}_{plate}_VEHICLE_DETECTION.jpg"


@pytest.fixture(autouse=True)
def _recorded_names(camera_clock: Callable[[datetime], None]) -> None:
    """The file names carry a recorded capture time (2 June 2025, the fixture picture's): the
    files "arrive" an hour later, inside the camera-clock window of the validation step."""
    camera_clock(datetime(2025, 6, 2, 10, 30, tzinfo=UTC))


@pytest.fixture
def watched(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A folder Home Assistant may read (allowlist_external_dirs)."""
    folder_path = tmp_path / "ftp"
    folder_path.mkdir()
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    return folder_path


async def add_folder_camera(
    hass: HomeAssistant, entry: MockConfigEntry, path: Path, cam: str = "Gate", **fields: Any
) -> str:
    data: dict[str, Any] = {
        "name": cam,
        "path": str(path),
        "time_zone": "Europe/London",
        "repeat_window": 0,
    } | fields
    return await async_add_camera(hass, entry, folder.KIND, data)


async def write(hass: HomeAssistant, path: Path, data: bytes) -> None:
    await hass.async_add_executor_job(path.write_bytes, data)


async def run(hass: HomeAssistant, func: Callable[..., Any], *args: Any) -> Any:
    return await hass.async_add_executor_job(func, *args)



async def test_written_file_reaches_entities(hass: HomeAssistant, watched: Path, hass_client: Any) -> None:
    entry = await async_setup_hub(hass)
    await add_folder_camera(hass, entry, watched)
    events = PlateEvents(hass)
    await write(hass, watched / name("AB12CDE"), JPEG)
    await events.wait(1)
    await hass.async_block_till_done()

    state = hass.states.get("sensor.gate_last_plate")
    assert state is not None
    assert state.state == "AB12CDE"
    assert state.attributes["camera"] == "Gate"
    assert state.attributes["direction"] == "unknown"  # OCR off
    assert events.events[0]["time"] == "2025-06-02T09:30:45.407000+00:00"  # BST -> UTC, ms
    event = hass.states.get("event.gate_plate")
    assert event is not None
    assert event.attributes["event_type"] == "unknown"
    assert event.attributes["plate"] == "AB12CDE"
    assert await image_bytes(hass, hass_client, "image.gate_picture") == JPEG  # original bytes, not re-encoded
    assert hass.states.async_entity_ids("image") == ["image.gate_picture"]  # uploads have no crop
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_renamed_in_files_are_delivered(
    hass: HomeAssistant, watched: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """FTP servers upload to a temporary name and rename; anpr2mqtt loses those files."""
    entry = await async_setup_hub(hass)
    await add_folder_camera(hass, entry, watched)
    events = PlateEvents(hass)
    caplog.set_level(logging.DEBUG, LOGGER_NAME)

    # 1. moved in from outside the watched folder
    outside = tmp_path / "staging"
    outside.mkdir()
    await write(hass, outside / name("MOVED1"), JPEG)
    await run(hass, os.rename, outside / name("MOVED1"), watched / name("MOVED1"))
    # 2. uploaded to a hidden temporary name inside the folder, then renamed (pure-ftpd)
    await write(hass, watched / ".pureftpd-upload.1234", JPEG)
    await run(hass, os.rename, watched / ".pureftpd-upload.1234", watched / name("RENAM2", 408))
    # 3. uploaded as <name>.part, then renamed (vsftpd/proftpd style)
    part = watched / (name("RENAM3", 409) + ".part")
    await write(hass, part, JPEG)
    await run(hass, os.rename, part, watched / name("RENAM3", 409))

    await events.wait(3)
    assert events.plates == ["MOVED1", "RENAM2", "RENAM3"]
    # the temporary names were not warned about
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and r.name == LOGGER_NAME]
    await asyncio.sleep(0.3)
    assert len(events.events) == 3
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_files_present_at_start_are_not_replayed(hass: HomeAssistant, watched: Path) -> None:
    await write(hass, watched / name("OLD1"), JPEG)
    await write(hass, watched / name("OLD2", 1), JPEG)
    entry = await async_setup_hub(hass)
    await add_folder_camera(hass, entry, watched)
    events = PlateEvents(hass)
    await write(hass, watched / name("NEW1"), JPEG)
    await events.wait(1)
    await asyncio.sleep(0.3)
    assert events.plates == ["NEW1"]
    # and a restart of the camera (hub reload) does not replay them either
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await write(hass, watched / name("NEW2"), JPEG)
    await events.wait(2)
    await asyncio.sleep(0.3)
    assert events.plates == ["NEW1", "NEW2"]
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize("recursive", [True, False])
async def test_recursive(hass: HomeAssistant, watched: Path, recursive: bool) -> None:
    day = watched / "2025-06-02"
    day.mkdir()
    entry = await async_setup_hub(hass)
    await add_folder_camera(hass, entry, watched, recursive=recursive)
    events = PlateEvents(hass)
    await write(hass, day / name("SUB1"), JPEG)
    # a sub-folder created after start is watched as well
    later = watched / "2025-06-03"
    await run(hass, later.mkdir)
    await asyncio.sleep(0.2)
    await write(hass, later / name("SUB2"), JPEG)
    if recursive:
        # a file in a brand-new folder may be found by the folder's first scan: wait for it
        await events.wait(2)
    await write(hass, watched / name("TOP1"), JPEG)
    if recursive:
        await events.wait(3)
        assert events.plates == ["SUB1", "SUB2", "TOP1"]
    else:
        await events.wait(1)
        await asyncio.sleep(0.3)
        assert events.plates == ["TOP1"]
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_polling_mode_waits_for_a_stable_size(hass: HomeAssistant, watched: Path, hass_client: Any) -> None:
    await write(hass, watched / name("OLD1", 1), JPEG)  # present at start: not replayed
    entry = await async_setup_hub(hass)
    await add_folder_camera(hass, entry, watched, polling=True, poll_interval=0.2)
    events = PlateEvents(hass)
    target = watched / name("POLL1")
    handle = await run(hass, open, target, "wb")
    await run(hass, handle.write, JPEG[:100])
    await run(hass, handle.flush)
    await asyncio.sleep(0.5)
    await run(hass, handle.write, JPEG[100:200])
    await run(hass, handle.flush)
    await asyncio.sleep(0.3)
    assert events.events == []  # still growing: not read
    await run(hass, handle.write, JPEG[200:])
    await run(hass, handle.close)
    # moved in works in polling mode too
    staging = watched.parent / "staging"
    staging.mkdir()
    await write(hass, staging / name("POLL2", 408), JPEG)
    await run(hass, os.rename, staging / name("POLL2", 408), watched / name("POLL2", 408))
    await events.wait(2, timeout=10)
    assert sorted(events.plates) == ["POLL1", "POLL2"]
    assert await image_bytes(hass, hass_client, "image.gate_picture") == JPEG
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_real_picture_end_to_end_with_ocr(hass: HomeAssistant, watched: Path, hass_client: Any) -> None:
    """The real Hikvision upload: plate and time from the name, direction from the overlay."""
    entry = await async_setup_hub(hass)
    await add_folder_camera(hass, entry, watched, ocr=True)
    events = PlateEvents(hass)
    await run(hass, shutil.copyfile, REAL, watched / REAL.name)
    await events.wait(1, timeout=20)
    await hass.async_block_till_done()
    state = hass.states.get("sensor.gate_last_plate")
    assert state is not None
    assert state.state == "B4DM3N"
    assert state.attributes["direction"] == "in"
    assert events.events[0]["direction_raw"] == "Forward"
    assert events.events[0]["time"] == "2025-06-02T09:30:45.407000+00:00"
    event = hass.states.get("event.gate_plate")
    assert event is not None
    assert event.attributes["plate"] == "B4DM3N"
    assert await image_bytes(hass, hass_client, "image.gate_picture") == REAL.read_bytes()
    assert not ir.async_get(hass).issues
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_bad_input_is_logged_and_skipped(
    hass: HomeAssistant, watched: Path, caplog: pytest.LogCaptureFixture, hass_client: Any) -> None:
    entry = await async_setup_hub(hass)
    await add_folder_camera(hass, entry, watched)
    events = PlateEvents(hass)
    real = REAL.read_bytes()
    bad = {
        name("TEXT1"): b"this is a text file, not a picture\n" * 10,
        "2024110312013232013_P99JHG_VEHICLE_DETECTION.jpeg": b"RUBBISH\n",  # 8-byte junk .jpg
        name("TRUNC1"): real[: len(real) // 2],
        "IMG_0001.jpg": JPEG,  # unmatched name
        name("EMPTY1"): b"",
        "20251302103045407_BADDATE_VEHICLE_DETECTION.jpg": JPEG,  # month 13
    }
    for file_name, data in bad.items():
        await write(hass, watched / file_name, data)
    # a file still being written: opened, half written, not closed yet
    growing = watched / name("GROW1", 500)
    handle = await run(hass, open, growing, "wb")
    await run(hass, handle.write, real[:50000])
    await run(hass, handle.flush)
    await write(hass, watched / name("GOOD1", 600), JPEG)
    await events.wait(1)
    await asyncio.sleep(0.3)
    assert events.plates == ["GOOD1"]
    await run(hass, handle.write, real[50000:])
    await run(hass, handle.close)
    await events.wait(2)
    assert events.plates == ["GOOD1", "GROW1"]
    assert await image_bytes(hass, hass_client, "image.gate_picture") == real  # the complete file
    await hass.async_block_till_done()

    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.name == LOGGER_NAME and r.levelno >= logging.WARNING
    ]
    assert len(warnings) == len(bad), warnings  # one line per bad file, nothing else
    joined = "\n".join(warnings)
    assert f"{name('TEXT1')}: not a picture" in joined
    assert "2024110312013232013_P99JHG_VEHICLE_DETECTION.jpeg: not a picture" in joined
    assert f"{name('TRUNC1')}: truncated JPEG" in joined
    assert "IMG_0001.jpg: file name 'IMG_0001.jpg' does not match" in joined
    assert f"{name('EMPTY1')}: empty file" in joined
    assert "not a valid date" in joined
    assert all("\\x" not in w and len(w) < 300 for w in warnings)  # no bytes in the log
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_no_plate_names_are_skipped(hass: HomeAssistant, watched: Path) -> None:
    entry = await async_setup_hub(hass)
    await add_folder_camera(hass, entry, watched)
    events = PlateEvents(hass)
    await write(hass, watched / "20250602103045407_VEHICLE_DETECTION.jpg", JPEG)
    await write(hass, watched / name("AFTER1"), JPEG)
    await events.wait(1)
    await asyncio.sleep(0.2)
    assert events.plates == ["AFTER1"]
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_hikvision_default_names_and_custom_regex(hass: HomeAssistant, watched: Path, hass_client: Any) -> None:
    entry = await async_setup_hub(hass)
    other = watched.parent / "other"
    other.mkdir()
    await add_folder_camera(
        hass,
        entry,
        other,
        "Side",
        pattern="custom",
        regex=r"(?P<camera>[a-z]+)-(?P<time>\d{14})-(?P<plate>[A-Z0-9]+)\.png",
        time_zone="UTC",
    )
    events = PlateEvents(hass)
    png = io.BytesIO()
    Image.new("RGB", (32, 32)).save(png, "PNG")
    await write(hass, other / "side-20250602103045-PNG1.png", png.getvalue())
    await events.wait(1)
    assert events.plates == ["PNG1"]
    assert events.events[0]["time"] == "2025-06-02T10:30:45+00:00"
    assert await image_bytes(hass, hass_client, "image.side_picture") == png.getvalue()
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_tesseract_missing_raises_issue_and_reads_still_arrive(
    hass: HomeAssistant, watched: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    monkeypatch.setitem(sys.modules, "tesserocr", None)  # nor the library
    entry = await async_setup_hub(hass)
    subentry_id = await add_folder_camera(hass, entry, watched, ocr=True)
    events = PlateEvents(hass)
    await hass.async_block_till_done()
    issue_id = f"tesseract_missing_{subentry_id}"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "tesseract_missing"
    assert issue.translation_placeholders == {"camera": "Gate"}
    await run(hass, shutil.copyfile, REAL, watched / REAL.name)
    await write(hass, watched / name("NEXT1", 999), JPEG)
    await events.wait(2)
    assert events.plates == ["B4DM3N", "NEXT1"]
    assert events.events[0]["direction"] == "unknown"
    # tesseract installed again: the next OCR works and the issue goes away
    monkeypatch.undo()
    await run(hass, shutil.copyfile, REAL, watched / name("B4DM3N", 408))
    await events.wait(3, timeout=20)
    await hass.async_block_till_done()
    assert events.events[2]["direction"] == "in"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_burst_uses_the_pool_and_keeps_order(hass: HomeAssistant, watched: Path) -> None:
    entry = await async_setup_hub(hass)
    await add_folder_camera(hass, entry, watched)
    events = PlateEvents(hass)
    plates = [f"BURST{i:03d}" for i in range(60)]

    def burst() -> None:
        for i, plate in enumerate(plates):
            (watched / name(plate, i)).write_bytes(JPEG)

    await run(hass, burst)
    await events.wait(60, timeout=20)
    assert events.plates == plates
    assert await hass.config_entries.async_unload(entry.entry_id)


async def _form(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_CAMERA), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": folder.KIND}
    )
    assert result["step_id"] == folder.KIND
    return str(result["flow_id"])


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"path": "/nonexistent/ftp"}, {"path": "path_not_found"}),
        ({"path": ""}, {"path": "path_not_found"}),
        ({"path": "__file__"}, {"path": "path_not_found"}),
        ({"path": "/etc"}, {"path": "path_not_allowed"}),
        ({"time_zone": "Mars/Olympus"}, {"time_zone": "invalid_timezone"}),
        ({"pattern": "custom", "regex": "(?P<plate>[A-Z"}, {"regex": "invalid_regex"}),
        ({"pattern": "custom", "regex": r"(\d+)\.jpg"}, {"regex": "invalid_regex"}),
        ({"pattern": "custom", "regex": ""}, {"regex": "invalid_regex"}),
        ({"ocr_corrections": "Forward=Fo(rd"}, {"ocr_corrections": "invalid_regex"}),
        ({"ocr_corrections": "just text"}, {"ocr_corrections": "invalid_regex"}),
        ({"ocr_x": 0.8, "ocr_width": 0.5}, {"base": "invalid_box"}),
        ({"ocr_height": 0}, {"base": "invalid_box"}),
    ],
)
async def test_form_errors(
    hass: HomeAssistant, watched: Path, fields: dict[str, Any], errors: dict[str, str]
) -> None:
    entry = await async_setup_hub(hass)
    flow_id = await _form(hass, entry)
    if fields.get("path") == "__file__":
        fields = fields | {"path": str(watched / "file.txt")}
        await write(hass, watched / "file.txt", b"x")
    data = {"name": "Gate", "path": str(watched), "time_zone": "UTC"} | fields
    result = await hass.config_entries.subentries.async_configure(flow_id, data)
    assert result["type"] == "form"
    assert result["errors"] == errors
    if errors.get("path") == "path_not_allowed":
        assert result["description_placeholders"] == {"path": "/etc"}
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_stored_data_and_duplicate_folder(hass: HomeAssistant, watched: Path) -> None:
    entry = await async_setup_hub(hass)
    # a path with .. and a trailing slash is stored resolved and is the unique id
    subentry_id = await add_folder_camera(hass, entry, Path(str(watched) + "/../ftp/"), ocr=True)
    subentry = entry.subentries[subentry_id]
    assert subentry.unique_id == str(watched)
    assert subentry.data["path"] == str(watched)
    assert subentry.data["kind"] == "folder"
    assert subentry.data["ocr_corrections"] == "Forward=Fo.*rd\nReverse=Re.*rse|Bac.*rd"
    flow_id = await _form(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        flow_id, {"name": "Gate 2", "path": str(watched), "time_zone": "UTC"}
    )
    assert result["type"] == "abort"
    assert result["reason"] == "already_configured"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_ocr_burst_gets_each_files_direction(hass: HomeAssistant, watched: Path) -> None:
    """A burst is OCR'd in batches; each read still gets the direction of its own picture."""
    entry = await async_setup_hub(hass)
    await add_folder_camera(hass, entry, watched, ocr=True)
    events = PlateEvents(hass)
    pictures = {
        "F": band_picture("Direction:Forward"),
        "R": band_picture("Direction:Reverse"),
    }
    plan = [("F" if i % 3 else "R") + f"BAT{i:02d}" for i in range(18)]

    def burst() -> None:
        for i, plate in enumerate(plan):
            (watched / name(plate, i)).write_bytes(pictures[plate[0]])

    await run(hass, burst)
    await events.wait(len(plan), timeout=60)
    assert events.plates == plan
    directions = {e["plate"]: e["direction"] for e in events.events}
    assert directions == {p: ("in" if p[0] == "F" else "out") for p in plan}
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_turns_ocr_on(hass: HomeAssistant, watched: Path) -> None:
    entry = await async_setup_hub(hass)
    sid = await add_folder_camera(hass, entry, watched)
    result = await start_camera_reconfigure(hass, entry, sid)
    assert result["step_id"] == "reconfigure_folder"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"path": str(watched), "time_zone": "Nowhere/City"}
    )
    assert result["errors"] == {"time_zone": "invalid_timezone"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"path": str(watched), "time_zone": "Europe/London", "ocr": True}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    events = PlateEvents(hass)
    await run(hass, shutil.copyfile, REAL, watched / REAL.name)
    await events.wait(1, timeout=20)
    assert events.events[0]["direction"] == "in"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_unreadable_overlay_unsupported_format_size_cap_and_diagnostics(
    hass: HomeAssistant,
    watched: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = await async_setup_hub(hass)
    sid = await add_folder_camera(hass, entry, watched, ocr=True)
    events = PlateEvents(hass)
    gif = io.BytesIO()
    Image.new("RGB", (16, 16)).save(gif, "GIF")
    await write(hass, watched / name("GIF1"), gif.getvalue())  # a GIF named .jpg
    monkeypatch.setattr(folder, "MAX_FILE_BYTES", 1_000_000)
    await write(hass, watched / name("HUGE1", 1), JPEG + b"\0" * 1_000_000)
    # an overlay that reads something that is not an allowed value
    await write(hass, watched / name("SIDE1", 2), band_picture("Direction:Sideways"))
    await events.wait(1, timeout=20)
    await asyncio.sleep(0.2)
    assert events.plates == ["SIDE1"]
    assert events.events[0]["direction"] == "unknown"
    assert events.events[0]["direction_raw"] == "Sideways"
    text = caplog.text
    assert f"{name('GIF1')}: unsupported picture format GIF" in text
    assert f"{name('HUGE1', 1)}: larger than 1000000 bytes" in text
    source = entry.runtime_data.cameras[sid].source
    assert source is not None
    diag = source.diagnostics()
    assert diag["mode"] == "inotify"
    assert diag["ocr"] is True
    assert diag["files"] == 3
    assert diag["delivered"] == 1
    assert diag["skipped"] == 2
    assert diag["ocr_unreadable"] == 1
    assert "SIDE1" not in str(diag)  # no plates in diagnostics
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_moves_camera_to_new_folder(
    hass: HomeAssistant, watched: Path, tmp_path: Path
) -> None:
    """A new path is the same camera moved, not another device (unique id follows the path)."""
    entry = await async_setup_hub(hass)
    sid = await add_folder_camera(hass, entry, watched)
    moved = tmp_path / "moved"
    moved.mkdir()
    result = await start_camera_reconfigure(hass, entry, sid)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"path": str(moved), "time_zone": "Europe/London"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.subentries[sid].unique_id == str(moved.resolve())
    events = PlateEvents(hass)
    await write(hass, moved / name("MV12ABC"), JPEG)
    await events.wait(1)
    assert events.plates == ["MV12ABC"]
    assert await hass.config_entries.async_unload(entry.entry_id)


def bomb_png(width: int = 20_000, height: int = 10_000) -> bytes:
    """A tiny PNG whose header claims a huge picture (decompression bomb)."""
    import struct  # noqa: PLC0415
    import zlib  # noqa: PLC0415

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def corrupt_png() -> bytes:
    """A PNG with valid chunk CRCs whose pixel data is not zlib: passes the check, not decoding."""
    import struct  # noqa: PLC0415
    import zlib  # noqa: PLC0415

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 200, 100, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"this is not deflate data" * 4)
        + chunk(b"IEND", b"")
    )


async def test_moved_out_dangling_link_and_bomb_are_skipped(
    hass: HomeAssistant, watched: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An archive script moving pictures out, a dangling link and a bomb: one line each at most."""
    entry = await async_setup_hub(hass)
    sid = await add_folder_camera(hass, entry, watched)
    events = PlateEvents(hass)
    archive = tmp_path / "archive"
    archive.mkdir()
    await write(hass, watched / name("KEEP1"), JPEG)
    await events.wait(1)
    # the user's clean-up script moves the processed picture out of the folder: not a read
    await run(hass, os.rename, watched / name("KEEP1"), archive / name("KEEP1"))
    # a link to a picture that is gone, moved in (FTP servers that link uploads)
    await run(hass, os.symlink, str(tmp_path / "gone.jpg"), archive / name("LINK1", 1))
    await run(hass, os.rename, archive / name("LINK1", 1), watched / name("LINK1", 1))
    # a decompression bomb: a 30-byte picture claiming 200 megapixels
    await write(hass, watched / name("BOMB1", 2).replace(".jpg", ".png"), bomb_png())
    await write(hass, watched / name("GOOD2", 3), JPEG)
    await events.wait(2)
    await asyncio.sleep(0.3)
    assert events.plates == ["KEEP1", "GOOD2"]
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.name == LOGGER_NAME and r.levelno >= logging.WARNING
    ]
    assert len(warnings) == 2, warnings  # read in parallel: either order
    joined = "\n".join(warnings)
    assert f"{name('LINK1', 1)}: cannot read (No such file or directory)" in joined
    assert f"{name('BOMB1', 2).replace('.jpg', '.png')}: picture too large" in joined
    source = entry.runtime_data.cameras[sid].source
    assert source is not None
    diag = source.diagnostics()
    assert diag["skipped"] == 2
    assert diag["delivered"] == 2
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_polling_drops_vanished_uploads_and_names_without_time(
    hass: HomeAssistant, watched: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Polling: a temporary upload renamed before it is stable is read once, under its new name.

    The custom pattern has no time: the read carries the time it arrived.
    """
    entry = await async_setup_hub(hass)
    await add_folder_camera(
        hass,
        entry,
        watched,
        polling=True,
        poll_interval=0.2,
        pattern="custom",
        regex=r"(?P<plate>[A-Z0-9]+)\.jpg",
    )
    events = PlateEvents(hass)
    # Names without a time: the read's time is its arrival, so the real clock applies here.
    monkeypatch.setattr("custom_components.anpr.coordinator.receive_time", dt_now)
    await asyncio.sleep(0.5)  # a few idle polls
    before = dt_now()
    part = watched / "PART1.jpg.part"
    handle = await run(hass, open, part, "wb")
    await run(hass, handle.write, JPEG[:100])
    await run(hass, handle.flush)
    await asyncio.sleep(0.3)  # seen growing by the poller
    await run(hass, handle.write, JPEG[100:])
    await run(hass, handle.close)
    await run(hass, os.rename, part, watched / "PART1.jpg")
    await events.wait(1, timeout=10)
    await asyncio.sleep(0.6)
    assert events.plates == ["PART1"]
    read_time = datetime.fromisoformat(events.events[0]["time"])
    assert before <= read_time <= dt_now()
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_corrupt_pixels_still_deliver_the_read_without_direction(
    hass: HomeAssistant, watched: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A picture whose header and CRCs are fine but whose pixels are broken: read, no direction."""
    entry = await async_setup_hub(hass)
    await add_folder_camera(hass, entry, watched, ocr=True)
    events = PlateEvents(hass)
    await write(hass, watched / name("CORR1").replace(".jpg", ".png"), corrupt_png())
    await write(hass, watched / name("FWD1", 1), band_picture("Direction:Forward"))
    await events.wait(2, timeout=20)
    assert events.plates == ["CORR1", "FWD1"]
    assert [e["direction"] for e in events.events] == ["unknown", "in"]
    assert f"OCR of {name('CORR1').replace('.jpg', '.png')} failed" in caplog.text
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_unload_during_an_ocr_burst_stops_quickly(hass: HomeAssistant, watched: Path) -> None:
    """Unloading while a burst is being read drops the rest: nothing arrives after the unload.

    Files keep arriving while the camera stops (the FTP server does not know): they are ignored.
    """
    entry = await async_setup_hub(hass)
    sid = await add_folder_camera(hass, entry, watched, ocr=True)
    events = PlateEvents(hass)
    picture_bytes = band_picture("Direction:Forward")
    await write(hass, watched / name("FIRST1"), picture_bytes)
    await events.wait(1, timeout=20)
    source = entry.runtime_data.cameras[sid].source
    assert source is not None

    def burst() -> None:
        for i in range(40):
            (watched / name(f"DROP{i:02d}", i)).write_bytes(picture_bytes)

    await run(hass, burst)
    deadline = asyncio.get_running_loop().time() + 10
    while source.diagnostics()["files"] < 41 and asyncio.get_running_loop().time() < deadline:  # noqa: ASYNC110 - a counter, no event to wait on
        await asyncio.sleep(0.005)
    assert source.diagnostics()["files"] == 41  # all queued, most not read yet

    keep_writing = True

    def trickle() -> None:
        i = 0
        while keep_writing:
            (watched / name(f"LATE{i:03d}", i % 1000)).write_bytes(JPEG)
            i += 1
            time.sleep(0.002)

    writer = hass.async_add_executor_job(trickle)
    await asyncio.sleep(0.05)
    loop = asyncio.get_running_loop()
    start = loop.time()
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert loop.time() - start < 10
    keep_writing = False
    await writer
    seen = len(events.events)
    assert seen < 41  # the burst was not read to the end
    await write(hass, watched / name("AFTER1", 999), picture_bytes)
    await asyncio.sleep(0.5)
    assert len(events.events) == seen


async def test_tesseract_without_language_data_warns_per_file_and_reads_arrive(
    hass: HomeAssistant,
    watched: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Tesseract installed without its language data (no tesseract-ocr-eng) fails every OCR."""
    empty = tmp_path / "tessdata"
    empty.mkdir()
    monkeypatch.setenv("TESSDATA_PREFIX", str(empty))
    monkeypatch.setattr(ocr, "TESSDATA_DIRS", ())
    entry = await async_setup_hub(hass)
    sid = await add_folder_camera(hass, entry, watched, ocr=True)
    events = PlateEvents(hass)
    await write(hass, watched / name("NOLANG1"), band_picture("Direction:Forward"))
    await events.wait(1, timeout=20)
    assert events.events[0]["direction"] == "unknown"
    assert f"OCR of {name('NOLANG1')} failed: tesseract failed" in caplog.text
    assert "OCR uses the tesseract command (library: no eng.traineddata found" in caplog.text
    # not the "tesseract missing" repair issue: tesseract is there
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"tesseract_missing_{sid}") is None
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_folder_gone_at_start_is_reported_and_comes_back_on_reload(
    hass: HomeAssistant, watched: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The folder was deleted while Home Assistant was down (NAS share not mounted yet)."""
    entry = await async_setup_hub(hass)
    await add_folder_camera(hass, entry, watched, ocr=True)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await run(hass, watched.rmdir)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert "Camera Gate could not start" in caplog.text
    # the share is back: a reload starts the camera and reads arrive
    await run(hass, watched.mkdir)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    events = PlateEvents(hass)
    await write(hass, watched / name("BACK1"), JPEG)
    await events.wait(1)
    assert events.plates == ["BACK1"]
    assert await hass.config_entries.async_unload(entry.entry_id)


async def wait_for_log(caplog: pytest.LogCaptureFixture, text: str, timeout: float = 60) -> None:
    """Wait until ``text`` was logged (work done in background tasks and executor jobs)."""
    deadline = time.monotonic() + timeout
    while text not in caplog.text:
        assert time.monotonic() < deadline, f"not logged: {text}"
        await asyncio.sleep(0.05)


async def _diagnostics(hass: HomeAssistant, entry: MockConfigEntry, sid: str) -> dict[str, Any]:
    source = entry.runtime_data.cameras[sid].source
    assert source is not None
    return source.diagnostics()


async def test_real_picture_read_by_the_library_engine(hass: HomeAssistant, watched: Path) -> None:
    """With tesserocr installed the runners keep tesseract loaded (diagnostics say which)."""
    entry = await async_setup_hub(hass)
    sid = await add_folder_camera(hass, entry, watched, ocr=True)
    events = PlateEvents(hass)
    await run(hass, shutil.copyfile, REAL, watched / REAL.name)
    await events.wait(1, timeout=20)
    assert events.events[0]["direction_raw"] == "Forward"
    diag = await _diagnostics(hass, entry, sid)
    assert diag["ocr_engine"] == ocr.ENGINE_LIBRARY
    assert diag["ocr_batches"] == diag["ocr_batched_images"] == 1
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_home_assistant_os_language_data_in_the_config_folder(
    hass: HomeAssistant, watched: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No tesseract command (Home Assistant OS): eng.traineddata in /config/tessdata is enough."""
    system = await run(hass, ocr.tessdata_dir)
    hass.config.config_dir = str(tmp_path / "config")  # not the shared testing_config
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    monkeypatch.setattr(ocr, "TESSDATA_DIRS", ())
    monkeypatch.delenv("TESSDATA_PREFIX", raising=False)
    data_dir = Path(hass.config.path(folder.TESSDATA_FOLDER))
    await run(hass, lambda: data_dir.mkdir(parents=True, exist_ok=True))
    await run(hass, shutil.copyfile, Path(system, "eng.traineddata"), data_dir / "eng.traineddata")
    entry = await async_setup_hub(hass)
    sid = await add_folder_camera(hass, entry, watched, ocr=True)
    events = PlateEvents(hass)
    await hass.async_block_till_done()
    await run(hass, shutil.copyfile, REAL, watched / REAL.name)
    await events.wait(1, timeout=20)
    assert events.events[0]["direction"] == "in"
    assert (await _diagnostics(hass, entry, sid))["ocr_engine"] == ocr.ENGINE_LIBRARY
    assert not ir.async_get(hass).issues  # no "tesseract missing" repair
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_library_installed_at_start_is_used_from_the_next_read(
    hass: HomeAssistant,
    watched: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """OCR on, library not loadable, package installs allowed: Home Assistant's installer gets
    tesserocr (here it finds it already installed: no download in tests) and the runners switch
    to it from their next read."""
    caplog.set_level(logging.DEBUG, logger="custom_components.anpr")
    monkeypatch.setitem(sys.modules, "tesserocr", None)
    hass.config.skip_pip = False
    entry = await async_setup_hub(hass)
    sid = await add_folder_camera(hass, entry, watched, ocr=True)
    events = PlateEvents(hass)
    await wait_for_log(caplog, "Gate: tesseract library installed")
    assert (await _diagnostics(hass, entry, sid))["ocr_engine"] == ocr.ENGINE_COMMAND
    monkeypatch.delitem(sys.modules, "tesserocr")  # the install made it importable
    await run(hass, shutil.copyfile, REAL, watched / REAL.name)
    await events.wait(1, timeout=20)
    assert events.events[0]["direction_raw"] == "Forward"
    assert (await _diagnostics(hass, entry, sid))["ocr_engine"] == ocr.ENGINE_LIBRARY
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize("skip_pip", [True, False])
async def test_library_install_skipped_or_failing_keeps_the_command(
    hass: HomeAssistant,
    watched: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    skip_pip: bool,
) -> None:
    """--skip-pip means no install; a failed install (offline here) leaves OCR on the command."""
    caplog.set_level(logging.INFO)
    monkeypatch.setitem(sys.modules, "tesserocr", None)
    # a requirement that cannot be installed, and uv kept offline: fails fast, never downloads
    monkeypatch.setattr(ocr, "TESSEROCR_REQUIREMENT", "anpr-test-no-such-package==1.0.0")
    monkeypatch.setenv("UV_OFFLINE", "1")
    hass.config.skip_pip = skip_pip
    entry = await async_setup_hub(hass)
    sid = await add_folder_camera(hass, entry, watched, ocr=True)
    events = PlateEvents(hass)
    failed = "Gate: OCR uses the tesseract command: Requirements for anpr not found"
    if skip_pip:
        await hass.async_block_till_done()
        await asyncio.sleep(0.5)
        assert "Attempting install" not in caplog.text
    else:
        await wait_for_log(caplog, failed)
    monkeypatch.delitem(sys.modules, "tesserocr")  # still not reloaded: no install happened
    await run(hass, shutil.copyfile, REAL, watched / REAL.name)
    await events.wait(1, timeout=20)
    assert events.events[0]["direction_raw"] == "Forward"
    assert (await _diagnostics(hass, entry, sid))["ocr_engine"] == ocr.ENGINE_COMMAND
    assert await hass.config_entries.async_unload(entry.entry_id)
