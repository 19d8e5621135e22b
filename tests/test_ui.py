"""UI side: thumbnails, the authenticated picture view, the panel and card registration, and
the history database migration the websocket API's indexes need."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
import io
import logging
from pathlib import Path
import sqlite3
import struct
from typing import Any
import zlib

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from PIL import Image
import pytest
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.anpr.core.history import (
    SCHEMA_VERSION,
    SightingHistory,
    SightingQuery,
    SightingRow,
)
from custom_components.anpr.feed import THUMB_WIDTH, make_thumbnail
from custom_components.anpr.media import thumbnail_root
from custom_components.anpr.protocols.models import ImageRole, PlateRead, ReadImage
from custom_components.anpr.ui import MODULE_FILE, PLACEHOLDER_SVG

from . import kinds
from .helpers import PlateEvents, async_add_camera, async_setup_hub

T0 = datetime(2025, 6, 3, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _recorded_reads(camera_clock: Callable[[datetime], None]) -> None:
    """Reads here carry recorded capture times (June 2025): they arrive a day later, inside
    the camera-clock window of the validation step."""
    camera_clock(T0 + timedelta(days=1))


def _corrupt_png() -> bytes:
    """A PNG whose header and chunk CRCs are fine but whose pixels do not decode: it passes
    the validation step's header check (a broken JPEG never reaches the thumbnailer)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF
        )

    header = struct.pack(">IIBBBBB", 200, 100, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", b"this is not deflate data" * 4) + chunk(b"IEND", b""))  # fmt: skip


BROKEN = _corrupt_png()
FIXTURE = "20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg"


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


def test_make_thumbnail_scales_and_keeps_small_pictures(fixtures_dir: Path) -> None:
    big = make_thumbnail((fixtures_dir / FIXTURE).read_bytes())
    with Image.open(io.BytesIO(big)) as picture:
        assert picture.format == "JPEG" and picture.width == THUMB_WIDTH
    small = make_thumbnail(_png(100, 40))
    with Image.open(io.BytesIO(small)) as picture:
        assert picture.format == "JPEG" and picture.size == (100, 40)
    with pytest.raises(OSError):
        make_thumbnail(b"not a picture")


async def _camera(hass: HomeAssistant, **options: Any) -> tuple[Any, PlateEvents]:
    entry = await async_setup_hub(hass, options)
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Drive"})
    return entry, PlateEvents(hass)


async def _push(hass: HomeAssistant, events: PlateEvents, plate: str, data: bytes | None,
                minutes: int = 0) -> dict[str, Any]:
    count = len(events.events)
    images = [ReadImage(data, "image/jpeg", role=ImageRole.VEHICLE)] if data else []
    kinds.RUNNING["Drive"].push(
        PlateRead(plate=plate, time=T0 + timedelta(minutes=minutes), images=images))
    await events.wait(count + 1)
    await hass.async_block_till_done(wait_background_tasks=True)
    return events.events[-1]


async def _rows(entry: Any) -> list[SightingRow]:
    rows: list[SightingRow] = await entry.runtime_data.history.async_search(limit=100)
    return rows


async def test_thumbnail_after_event_served_only_with_auth(
    hass: HomeAssistant,
    fixtures_dir: Path,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
) -> None:
    entry, events = await _camera(hass, save_images=True)
    await _push(hass, events, "AB12CDE", (fixtures_dir / FIXTURE).read_bytes())
    await _push(hass, events, "XY51ZZZ", None, minutes=1)
    with_picture, without = sorted(await _rows(entry), key=lambda r: r.plate)
    assert with_picture.thumb_path is not None and without.thumb_path is None
    thumb = Path(with_picture.thumb_path)
    assert thumb.parent.parent == thumbnail_root(entry.runtime_data.history)
    assert await hass.async_add_executor_job(thumb.is_file)

    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id({"type": "anpr/v1/sightings/list"})
    listed = {s["plate"]: s for s in (await ws.receive_json())["result"]["sightings"]}
    signed = listed["AB12CDE"]["thumbnail"]
    assert "authSig=" in signed and listed["XY51ZZZ"]["thumbnail"] is None
    assert "authSig=" in listed["AB12CDE"]["picture"]

    anonymous = await hass_client_no_auth()
    # Signed: an <img> without a bearer header loads it; a decodable 320 px JPEG.
    response = await anonymous.get(signed)
    assert response.status == 200 and response.content_type == "image/jpeg"
    with Image.open(io.BytesIO(await response.read())) as picture:
        assert picture.width == THUMB_WIDTH
    # Unsigned, or with a forged signature: refused.
    plain = f"/api/anpr/picture/{with_picture.id}/thumbnail"
    assert (await anonymous.get(plain)).status == 401
    assert (await anonymous.get(plain + "?authSig=forged")).status == 401
    # Logged in: the saved full picture, the placeholder for what is not there.
    client = await hass_client()
    full = await client.get(f"/api/anpr/picture/{with_picture.id}/picture")
    assert full.status == 200 and await full.read() == (fixtures_dir / FIXTURE).read_bytes()
    for path in (f"/api/anpr/picture/{without.id}/thumbnail",
                 f"/api/anpr/picture/{without.id}/picture", "/api/anpr/picture/999/thumbnail"):
        missing = await client.get(path)
        assert missing.status == 200 and missing.content_type == "image/svg+xml", path
        assert await missing.read() == PLACEHOLDER_SVG
    assert (await client.get(f"/api/anpr/picture/{with_picture.id}/other")).status == 404
    assert (await client.get("/api/anpr/picture/x1/thumbnail")).status == 404

    # A thumbnail file that vanished (or a path outside the folder) shows the placeholder.
    await hass.async_add_executor_job(thumb.unlink)
    gone = await client.get(f"/api/anpr/picture/{with_picture.id}/thumbnail")
    assert await gone.read() == PLACEHOLDER_SVG


async def test_purge_deletes_thumbnails(hass: HomeAssistant, fixtures_dir: Path) -> None:
    entry, events = await _camera(hass)
    data = (fixtures_dir / FIXTURE).read_bytes()
    await _push(hass, events, "AB12CDE", data)
    await _push(hass, events, "AB12CDE", data, minutes=5)
    paths = [Path(r.thumb_path or "") for r in await _rows(entry)]
    assert all(p.is_file() for p in paths) and len(paths) == 2
    await hass.services.async_call("anpr", "purge_sightings", {"plate": "AB12CDE"},
                                   blocking=True, return_response=True)
    assert not any(p.exists() for p in paths)
    assert not paths[0].parent.exists()  # empty day folder pruned


async def test_no_thumbnail_for_bad_picture_or_zero_retention(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    entry, events = await _camera(hass)
    event = await _push(hass, events, "AB12CDE", BROKEN)
    assert event["plate"] == "AB12CDE"  # the read is shown anyway
    assert (await _rows(entry))[0].thumb_path is None
    assert "could not make a thumbnail" in caplog.text
    assert not thumbnail_root(entry.runtime_data.history).exists()
    # The next undecodable picture of that camera is logged at debug level only.
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="custom_components.anpr"):
        await _push(hass, events, "XY51ZZZ", BROKEN, minutes=1)
    assert "could not make a thumbnail" not in caplog.text


async def test_zero_retention_makes_no_thumbnail(hass: HomeAssistant, fixtures_dir: Path) -> None:
    entry, events = await _camera(hass, retention_days=0)
    await _push(hass, events, "AB12CDE", (fixtures_dir / FIXTURE).read_bytes())
    assert not thumbnail_root(entry.runtime_data.history).exists()


async def test_history_failures_are_logged(
    hass: HomeAssistant, fixtures_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    entry, events = await _camera(hass)
    history = entry.runtime_data.history

    async def broken(*_args: Any) -> None:
        raise sqlite3.OperationalError("database is locked")

    history.async_set_thumbnail = broken  # type: ignore[method-assign]
    await _push(hass, events, "AB12CDE", (fixtures_dir / FIXTURE).read_bytes())
    assert "Could not store the thumbnail" in caplog.text
    assert list(thumbnail_root(entry.runtime_data.history).rglob("*.jpg")) == []  # no orphan file
    history.async_set_reads = broken  # type: ignore[method-assign]
    count = len(events.events)
    kinds.RUNNING["Drive"].push(PlateRead(plate="AB12CDE", time=T0 + timedelta(seconds=2)))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(events.events) == count  # merged, no new event
    assert "Could not store the read count" in caplog.text


async def test_picture_view_history_error(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, caplog: pytest.LogCaptureFixture
) -> None:
    entry, _events = await _camera(hass)

    async def broken(*_args: Any) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    entry.runtime_data.history.async_get = broken
    client = await hass_client()
    response = await client.get("/api/anpr/picture/1/thumbnail")
    assert await response.read() == PLACEHOLDER_SVG
    assert "Could not read a sighting for its picture" in caplog.text


async def test_picture_view_without_hub(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry, _events = await _camera(hass)
    await hass.config_entries.async_unload(entry.entry_id)
    client = await hass_client()
    response = await client.get("/api/anpr/picture/1/thumbnail")
    assert await response.read() == PLACEHOLDER_SVG


async def _frontend(hass: HomeAssistant, tmp_path: Path) -> None:
    """Set up HA's frontend integration from an empty development folder (no hass_frontend)."""
    (tmp_path / "hass_frontend").mkdir()
    assert await async_setup_component(
        hass, "frontend", {"frontend": {"development_repo": str(tmp_path)}}
    )


async def test_panel_and_card_registered(
    hass: HomeAssistant,
    tmp_path: Path,
    hass_ws_client: WebSocketGenerator,
    hass_client: ClientSessionGenerator,
) -> None:
    await _frontend(hass, tmp_path)
    entry, _events = await _camera(hass)
    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id({"type": "get_panels"})
    panels = (await ws.receive_json())["result"]
    panel = panels["anpr"]
    assert panel["component_name"] == "custom" and panel["title"] == "ANPR"
    assert panel["require_admin"] is False
    custom = panel["config"]["_panel_custom"]
    assert custom["name"] == "anpr-panel" and custom["embed_iframe"] is False
    module_url = custom["module_url"]
    assert module_url.startswith("/anpr_static/anpr-panel.js?v=")
    await ws.send_json_auto_id({"type": "frontend/subscribe_extra_js"})
    await ws.receive_json()
    # The card module is loaded on every dashboard, and served (one file, the bundle).
    client = await hass_client()
    served = await client.get(module_url)
    assert served.status == 200 and await served.read() == MODULE_FILE.read_bytes()
    # Unloading removes the panel and the module from the dashboards' extra modules.
    await hass.config_entries.async_unload(entry.entry_id)
    removed = await ws.receive_json()
    assert removed["event"] == {"change_type": "removed",
                                "item": {"type": "module", "url": module_url}}
    await ws.send_json_auto_id({"type": "get_panels"})
    assert "anpr" not in (await ws.receive_json())["result"]


async def test_panel_hidden_by_option(
    hass: HomeAssistant, tmp_path: Path, hass_ws_client: WebSocketGenerator
) -> None:
    await _frontend(hass, tmp_path)
    await _camera(hass, show_panel=False)
    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id({"type": "get_panels"})
    assert "anpr" not in (await ws.receive_json())["result"]


def test_migration_adds_columns_and_indexes_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(
        """
        CREATE TABLE sightings (id INTEGER PRIMARY KEY, plate TEXT NOT NULL, ts REAL NOT NULL,
            camera_id TEXT NOT NULL, camera TEXT, category TEXT, list_name TEXT, direction TEXT,
            confidence REAL, read_plate TEXT, image_path TEXT);
        CREATE INDEX sightings_plate_ts ON sightings (plate, ts);
        CREATE INDEX sightings_ts ON sightings (ts);
        CREATE TABLE plate_stats (plate TEXT PRIMARY KEY, count INTEGER NOT NULL,
            first_ts REAL NOT NULL, last_ts REAL NOT NULL, last_camera TEXT) WITHOUT ROWID;
        INSERT INTO sightings (plate, ts, camera_id, camera) VALUES ('AB12CDE', 1.5, 'c', 'C');
        """
    )
    old.commit()
    old.close()
    history = SightingHistory(path)
    history.open()
    db = history.db
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    columns = {r[1] for r in db.execute("PRAGMA table_info(sightings)")}
    assert {"thumb_path", "reads"} <= columns
    indexes = {r[1] for r in db.execute("PRAGMA index_list(sightings)")}
    assert {"sightings_camera_ts", "sightings_category_ts", "sightings_list_ts",
            "sightings_direction_ts"} <= indexes
    row = history.get(1)
    assert row is not None and row.plate == "AB12CDE" and row.reads == 1
    history.close()
    # Opening again runs nothing twice.
    history.open()
    assert history.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    history.close()


def test_migration_failure_rolls_back(tmp_path: Path) -> None:
    path = tmp_path / "odd.db"
    odd = sqlite3.connect(path)
    # A database that already has one of the new columns (made by hand): the panel's
    # migration fails as a whole and changes nothing of its own.
    odd.executescript(
        "CREATE TABLE sightings (id INTEGER PRIMARY KEY, plate TEXT NOT NULL, ts REAL NOT NULL,"
        " camera_id TEXT NOT NULL, camera TEXT, category TEXT, list_name TEXT, direction TEXT,"
        " confidence REAL, read_plate TEXT, image_path TEXT, reads INTEGER);"
    )
    odd.commit()
    odd.close()
    history = SightingHistory(path)
    with pytest.raises(sqlite3.OperationalError):
        history.open()
    check = sqlite3.connect(path)
    # The visits migration (version 2) committed; the panel's (3) failed as a whole.
    assert check.execute("PRAGMA user_version").fetchone()[0] == 2
    assert "thumb_path" not in {r[1] for r in check.execute("PRAGMA table_info(sightings)")}
    check.close()


def test_query_plan_uses_indexes(tmp_path: Path) -> None:
    history = SightingHistory(tmp_path / "plan.db")
    history.open()
    for query, index in (
        (SightingQuery(), "sightings_ts"),
        (SightingQuery(camera_ids=("c",)), "sightings_camera_ts"),
        (SightingQuery(plate="AB12CDE"), "sightings_plate_ts"),
        (SightingQuery(before=(1.0, 5)), "sightings_ts"),
    ):
        cond, args = query.where()
        plan = " ".join(
            str(r[3]) for r in history.db.execute(
                f"EXPLAIN QUERY PLAN SELECT id FROM sightings{cond} ORDER BY ts DESC, id DESC"
                " LIMIT 50", args)
        )
        assert index in plan and "TEMP B-TREE" not in plan, (query, plan)
    history.close()


async def test_feed_edge_cases(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Remember the row of the newest sighting only (bounded memory for merged reads).
    monkeypatch.setattr("custom_components.anpr.feed._KEEP_IDS", 1)
    entry, events = await _camera(hass)
    runtime = entry.runtime_data
    seen: list[tuple[str, int | None]] = []

    def failing(kind: str, row: SightingRow) -> None:
        raise RuntimeError("subscriber bug")

    unsub_failing = runtime.feed.async_subscribe(failing)
    unsub = runtime.feed.async_subscribe(lambda kind, row: seen.append((kind, row.id)))
    await _push(hass, events, "AB12CDE", None)
    assert "A sightings subscriber failed" in caplog.text
    assert [k for k, _ in seen] == ["added"]  # the other subscriber still got it
    unsub_failing()
    unsub()
    unsub()  # idempotent
    # The first sighting's row was forgotten once a newer one came: its repeat read is
    # counted by the pipeline but sends no update.
    await _push(hass, events, "EF56GHJ", None, minutes=2)
    seen.clear()
    runtime.feed.async_subscribe(lambda kind, row: seen.append((kind, row.id)))
    kinds.RUNNING["Drive"].push(PlateRead(plate="AB12CDE", time=T0 + timedelta(seconds=1)))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [kind for kind, _ in seen if kind == "updated"] == []

    # A sighting the history could not store: shown, no feed event, repeat reads ignored.
    history = runtime.history
    real_record = history.history.record_many

    def broken(*_args: Any) -> Any:
        raise sqlite3.OperationalError("database is locked")

    history.history.record_many = broken  # type: ignore[method-assign]
    seen.clear()
    await _push(hass, events, "XY51ZZZ", None, minutes=5)
    repeat = T0 + timedelta(minutes=5, seconds=1)
    kinds.RUNNING["Drive"].push(PlateRead(plate="XY51ZZZ", time=repeat))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert seen == []
    history.history.record_many = real_record  # type: ignore[method-assign]

    # A sighting deleted before its merged read count was stored: no update sent.
    await _push(hass, events, "CD34EFG", None, minutes=10)
    row_id = seen[-1][1]
    assert row_id is not None
    await history.async_purge_with_images(sighting_id=row_id)
    repeat = T0 + timedelta(minutes=10, seconds=1)
    kinds.RUNNING["Drive"].push(PlateRead(plate="CD34EFG", time=repeat))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert seen[-1] == ("added", row_id)


async def test_picture_outside_its_folder_and_png(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, tmp_path: Path
) -> None:
    entry, events = await _camera(hass, save_images=True)
    count = len(events.events)
    png = _png(640, 480)
    kinds.RUNNING["Drive"].push(PlateRead(plate="AB12CDE", time=T0,
                                          images=[ReadImage(png, "image/png")]))
    await events.wait(count + 1)
    await hass.async_block_till_done(wait_background_tasks=True)
    row = (await _rows(entry))[0]
    assert row.id is not None and row.thumb_path is not None
    client = await hass_client()
    picture = await client.get(f"/api/anpr/picture/{row.id}/picture")
    assert picture.content_type == "image/png" and await picture.read() == png
    thumb = await client.get(f"/api/anpr/picture/{row.id}/thumbnail")
    with Image.open(io.BytesIO(await thumb.read())) as small:
        assert small.format == "JPEG" and small.size == (THUMB_WIDTH, 240)
    # A stored path outside the thumbnail folder is never served.
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"\xff\xd8secret")
    await entry.runtime_data.history.async_set_thumbnail(row.id, str(secret))
    outside = await client.get(f"/api/anpr/picture/{row.id}/thumbnail")
    assert await outside.read() == PLACEHOLDER_SVG


def test_busy_plate_filters_walk_the_time_index(tmp_path: Path) -> None:
    """A prefix or fuzzy filter matching many rows reads newest first instead of sorting."""
    history = SightingHistory(tmp_path / "busy.db")
    history.open()
    rows = [SightingRow(plate="AB12CDE", time=T0 + timedelta(seconds=i), camera_id="c")
            for i in range(400)]
    rows += [SightingRow(plate=f"ZZ{i:02d}XYZ", time=T0 + timedelta(seconds=i), camera_id="c")
             for i in range(40)]
    history.record_many(rows)
    busy = history.page(SightingQuery(plate_prefix="AB"), 5)
    assert [r.time for r in busy] == [T0 + timedelta(seconds=399 - i) for i in range(5)]
    assert history._scan_by_time(SightingQuery(plate_prefix="AB"), 5)
    assert not history._scan_by_time(SightingQuery(plate_prefix="ZZ01"), 5)
    assert history._scan_by_time(SightingQuery(plates=("AB12CDE", "AB12CDF")), 5)
    assert not history._scan_by_time(SightingQuery(plates=("ZZ01XYZ",)), 5)
    assert not history._scan_by_time(SightingQuery(plates=()), 5)
    assert not history._scan_by_time(SightingQuery(camera_ids=("c",)), 5)
    for query in (SightingQuery(plate_prefix="AB"), SightingQuery(plates=("AB12CDE",))):
        cond, args = query.where(scan_by_time=True)
        plan = " ".join(str(r[3]) for r in history.db.execute(
            f"EXPLAIN QUERY PLAN SELECT id FROM sightings{cond} ORDER BY ts DESC, id DESC LIMIT 5",
            args))
        assert "sightings_ts" in plan and "TEMP B-TREE" not in plan, plan
    rare = history.page(SightingQuery(plate_prefix="ZZ01"), 5)
    assert [r.plate for r in rare] == ["ZZ01XYZ"]
    assert [r.plate for r in history.page(SightingQuery(plates=()), 5)] == []
    history.close()


async def test_thumbnail_queue_is_bounded(
    hass: HomeAssistant, fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a burst, sightings beyond the queued thumbnails get none (and are still shown)."""
    monkeypatch.setattr("custom_components.anpr.feed.MAX_PENDING_THUMBNAILS", 0)
    entry, events = await _camera(hass)
    event = await _push(hass, events, "AB12CDE", (fixtures_dir / FIXTURE).read_bytes())
    assert event["plate"] == "AB12CDE"
    assert (await _rows(entry))[0].thumb_path is None
    assert entry.runtime_data.feed.thumbnails_skipped == 1
