"""``http_push`` through the real hub: every push format over a real HTTP socket, bad input,
shared secret and body caps."""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
from homeassistant.components import webhook
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.anpr.const import DOMAIN, SUBENTRY_CAMERA
from custom_components.anpr.diagnostics import async_get_config_entry_diagnostics
from tools.emulators import http_pusher
from tools.emulators.hikvision import HikvisionEmulator

from .helpers import PlateEvents, async_add_camera, async_setup_hub, device_by_identifier, webhooks

pytestmark = pytest.mark.enable_socket


async def _camera(
    hass: HomeAssistant, hass_client_no_auth: Any, **data: Any
) -> tuple[Any, str, str, PlateEvents]:
    entry = await async_setup_hub(hass)
    sub_id = await async_add_camera(
        hass, entry, "http_push", {"name": "Gate", "repeat_window": 0, **data}
    )
    webhook_id = entry.subentries[sub_id].data["webhook_id"]
    client = await hass_client_no_auth()
    url = str(client.make_url(f"/api/webhook/{webhook_id}"))
    return entry, sub_id, url, PlateEvents(hass)


async def test_flow_shows_webhook_url(hass: HomeAssistant, hass_ws_client: Any) -> None:
    await hass.config.async_update(internal_url="http://192.168.1.10:8123")
    entry = await async_setup_hub(hass)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_CAMERA), context={"source": "user"}
    )
    assert "http_push" in result["menu_options"]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": "http_push"}
    )
    assert result["type"] is FlowResultType.FORM
    url = result["description_placeholders"]["webhook_url"]
    webhook_id = result["description_placeholders"]["webhook_id"]
    assert url == f"http://192.168.1.10:8123/api/webhook/{webhook_id}"
    assert webhook_id.startswith("anpr_")
    assert len(webhook_id) == 21
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "Gate", "local_only": True, "secret": "", "max_body_mb": 20},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    (sub_id,) = entry.subentries
    assert entry.subentries[sub_id].data["webhook_id"] == webhook_id
    registered = (await webhooks(hass, hass_ws_client))[webhook_id]
    assert registered["domain"] == DOMAIN
    assert registered["local_only"] is True
    assert registered["allowed_methods"] == ["GET", "POST", "PUT"]
    device = device_by_identifier(hass, sub_id)
    assert device is not None
    assert device.configuration_url == url
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert webhook_id not in await webhooks(hass, hass_ws_client)


async def test_every_format_over_http(hass: HomeAssistant, hass_client_no_auth: Any) -> None:
    entry, _sub, url, events = await _camera(hass, hass_client_no_auth)
    pusher = http_pusher.HttpPusher(url)
    try:
        plates = {
            "milesight_legacy": "LEG1ACY",
            "milesight_new": "NEW1KEY",
            "query": "MS12345",
            "query_spaces": "MS67890",
            "numberok": "19ZFZL",
            "hikvision": "HIK1234",
            "axis_alpv": "AX1234",
        }
        for count, (fmt, plate) in enumerate(plates.items(), start=1):
            assert await pusher.push(fmt, plate) == (200, "OK\n"), fmt
            await events.wait(count)
        # The Hikvision emulator's own HTTP-listening body (other engineer's reconstruction).
        content_type, body = HikvisionEmulator().listening_body("HIKEMU1")
        status, _ = await pusher.send("POST", "", {"Content-Type": content_type}, body)
        assert status == 200
        await events.wait(len(plates) + 1)
    finally:
        await pusher.close()
    assert events.plates == [*plates.values(), "HIKEMU1"]
    by_plate = {e["plate"]: e for e in events.events}
    assert by_plate["LEG1ACY"]["direction"] == "in"
    assert by_plate["NEW1KEY"]["direction"] == "out"
    assert by_plate["NEW1KEY"]["confidence"] == pytest.approx(0.87)
    assert by_plate["19ZFZL"]["country"] == "GBR"
    assert by_plate["HIK1234"]["source"] == "http_push"
    await hass.async_block_till_done()
    assert hass.states.get("sensor.gate_last_plate").state == "HIKEMU1"
    assert hass.states.get("image.gate_plate_picture").state != "unknown"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_bad_input_is_refused_and_next_read_arrives(
    hass: HomeAssistant, hass_client_no_auth: Any, caplog: pytest.LogCaptureFixture
) -> None:
    entry, _sub, url, events = await _camera(hass, hass_client_no_auth)
    caplog.set_level(logging.DEBUG, logger="custom_components.anpr")
    pusher = http_pusher.HttpPusher(url)
    json_ct = {"Content-Type": "application/json"}
    try:
        cases = [
            ("POST", "", json_ct, b'{"plate": "AB1', "invalid JSON"),
            ("POST", "", json_ct, b'{"foo": "x", "token": "hunter2"}', "without a plate key"),
            ("POST", "", {"Content-Type": "image/jpeg"}, b"\xff\xd8\xff", "unsupported content"),
            ("GET", "", {}, b"", "without ?Caption=LPR"),
            ("GET", "?Caption=LPR&description=", {}, b"", "GET without a plate"),
        ]
        for method, suffix, headers, body, reason in cases:
            status, text = await pusher.send(method, suffix, headers, body)
            assert status == 400, (reason, text)
            assert reason in text
        # Bad base64 in one picture: the plate still arrives, the broken picture is dropped.
        obj = http_pusher.milesight_legacy("BAD64PIC")
        obj["full_image"] = "***not base64***"
        status, _ = await pusher.send("POST", "", json_ct, json.dumps(obj).encode())
        assert status == 200
        assert await pusher.push("query", "GOOD123") == (200, "OK\n")
        await events.wait(2)
    finally:
        await pusher.close()
    assert events.plates == ["BAD64PIC", "GOOD123"]
    text = caplog.text
    assert "ignored a POST push: invalid JSON" in text
    assert "rejected push content type 'application/json', keys ['foo', 'token']" in text
    assert "hunter2" not in text
    assert "without pictures it could not decode: full_image: invalid base64 picture" in text
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_shared_secret(hass: HomeAssistant, hass_client_no_auth: Any) -> None:
    entry, _sub, url, events = await _camera(hass, hass_client_no_auth, secret="s3cret")
    pusher = http_pusher.HttpPusher(url)
    try:
        assert (await pusher.push("query", "NOPE1"))[0] == 401
        status, _ = await pusher.send("GET", "?description=NOPE2&secret=wrong", {}, b"")
        assert status == 401
        status, _ = await pusher.send("GET", "?description=OK1&secret=s3cret", {}, b"")
        assert status == 200
        method, suffix, headers, body = http_pusher.build_request("milesight_new", "OK2")
        status, _ = await pusher.send(method, suffix, {**headers, "X-ANPR-Secret": "s3cret"}, body)
        assert status == 200
        headers["Authorization"] = "Bearer s3cret"
        assert (await pusher.send(method, suffix, headers, body))[0] == 200
        await events.wait(2)
    finally:
        await pusher.close()
    assert events.plates[:2] == ["OK1", "OK2"]
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_body_caps(hass: HomeAssistant, hass_client_no_auth: Any) -> None:
    """413 above the camera's cap, with or without Content-Length; bodies above HA's own
    16 MiB request cap are accepted when the camera's cap allows them."""
    entry, _sub, url, events = await _camera(hass, hass_client_no_auth, max_body_mb=20)
    obj = http_pusher.milesight_legacy("BIG1234")
    obj["padding"] = "x" * (17 * 1024 * 1024)  # > 16 MiB (HA MAX_CLIENT_SIZE), < 20 MB
    big = json.dumps(obj).encode()
    too_big = b'{"plate": "HUGE1", "padding": "' + b"x" * 20_000_001 + b'"}'

    async def chunked() -> Any:
        for start in range(0, len(too_big), 1 << 20):
            yield too_big[start : start + (1 << 20)]

    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=big, headers={"Content-Type": "application/json"}) as r:
            assert r.status == 200
        await events.wait(1)
        async with session.post(url, data=too_big) as resp:
            assert resp.status == 413
            assert "cap" in await resp.text()
        async with session.post(url, data=chunked()) as resp:
            assert resp.status == 413
        async with session.get(url + "?description=AFTER1") as resp:
            assert resp.status == 200
        await events.wait(2)
    assert events.plates == ["BIG1234", "AFTER1"]
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_numberok_vehicle_states_merge(hass: HomeAssistant, hass_client_no_auth: Any) -> None:
    """new → update → lost of one vehicle is one sighting; a second vehicle is another."""
    entry, _sub, url, events = await _camera(hass, hass_client_no_auth)
    pusher = http_pusher.HttpPusher(url)
    try:
        for state in ("new", "update", "updated", "lost"):
            assert (await pusher.push("numberok", "AB12CDE", car_id="7", state=state))[0] == 200
        assert (await pusher.push("numberok", "ZZ99ZZZ", car_id="8", state="new"))[0] == 200
        await events.wait(2)
    finally:
        await pusher.close()
    await hass.async_block_till_done()
    assert events.plates == ["AB12CDE", "ZZ99ZZZ"]
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_axis_alpv_new_update_lost_is_one_sighting(
    hass: HomeAssistant, hass_client_no_auth: Any
) -> None:
    """AXIS License Plate Verifier lifecycle (Axis doc's example): NEW fires the event at once;
    the UPDATE with the direction, the repeated UPDATEs, LOST and the corrected plate text
    (AA7690EQ → AA7690EO, one edit apart: the pipeline's misread merge) fold into it."""
    entry, _sub, url, events = await _camera(hass, hass_client_no_auth, repeat_window=10)
    pusher = http_pusher.HttpPusher(url)
    try:
        steps = [
            ("AA7690EQ", "new", "unk"),
            ("AA7690EQ", "update", "in"),
            ("AA7690EQ", "update", "in"),
            ("AA7690EO", "update", "in"),
            ("AA7690EO", "update", "in"),
            ("AA7690EO", "lost", "in"),
        ]
        for plate, state, direction in steps:
            status = await pusher.push(
                "axis_alpv", plate, car_id="123", state=state, direction=direction
            )
            assert status == (200, "OK\n")
        await events.wait(1)
    finally:
        await pusher.close()
    await hass.async_block_till_done()
    assert events.plates == ["AA7690EQ"]
    state = hass.states.get("sensor.gate_last_plate")
    assert state.state == "AA7690EQ"
    assert state.attributes["direction"] == "in"  # the UPDATE's direction joined the sighting
    assert state.attributes["alternatives"] == {"AA7690EO": 1}
    assert state.attributes["reads"] == 3
    diag = await async_get_config_entry_diagnostics(hass, entry)
    text = json.dumps(diag)
    assert "B8A44F000001" not in text  # the camera's serial is not diagnostics material
    (camera,) = diag["cameras"].values()
    assert camera["source"]["last_format"] == "axis_alpv"
    assert camera["source"]["counters"]["merged"] == 3  # repeated UPDATE ×2, LOST
    assert await hass.config_entries.async_unload(entry.entry_id)


def test_pusher_discovers_webhook_url(tmp_path: Any) -> None:
    """scripts/develop: the pusher finds the camera's webhook in the HA config storage."""
    assert http_pusher.discover_webhook_url(tmp_path, "Webhook") is None
    (tmp_path / "configuration.yaml").write_text("http:\n  server_port: 18123\n")
    (tmp_path / ".storage").mkdir()
    storage = {
        "data": {
            "entries": [
                {
                    "domain": "anpr",
                    "subentries": [
                        {"title": "Gate", "data": {"kind": "hikvision"}},
                        {"title": "Webhook", "data": {"webhook_id": "anpr_0123456789abcdef"}},
                    ],
                }
            ]
        }
    }
    (tmp_path / ".storage" / "core.config_entries").write_text(json.dumps(storage))
    assert (
        http_pusher.discover_webhook_url(tmp_path, "Webhook")
        == "http://127.0.0.1:18123/api/webhook/anpr_0123456789abcdef"
    )


async def test_flow_without_home_assistant_url_shows_the_path(hass: HomeAssistant) -> None:
    """Home Assistant knows no URL for itself (no internal/external URL set and only a loopback
    address): the form shows the webhook path to complete, and the device page gets no
    (broken) configuration link."""
    entry = await async_setup_hub(hass)
    assert hass.config.api is not None
    hass.config.api.local_ip = "127.0.0.1"
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_CAMERA), context={"source": "user"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": "http_push"}
    )
    webhook_id = result["description_placeholders"]["webhook_id"]
    assert result["description_placeholders"]["webhook_url"] == f"/api/webhook/{webhook_id}"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Gate", "local_only": True, "secret": "", "max_body_mb": 20}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    (sub_id,) = entry.subentries
    device = device_by_identifier(hass, sub_id)
    assert device is not None
    assert device.configuration_url is None
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_webhook_id_taken_by_another_handler(
    hass: HomeAssistant, hass_client_no_auth: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Another integration already owns the camera's webhook id: one clear error, the other
    handler keeps its webhook (also after our unload), nothing is delivered to the camera."""
    entry, sub_id, url, events = await _camera(hass, hass_client_no_auth)
    webhook_id = entry.subentries[sub_id].data["webhook_id"]
    assert await hass.config_entries.async_unload(entry.entry_id)
    received: list[str] = []

    async def other(hass: HomeAssistant, webhook_id: str, request: Any) -> None:
        received.append(request.method)

    webhook.async_register(hass, "other", "Other", webhook_id, other, allowed_methods=("GET",))
    try:
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert "webhook id is already in use by another handler" in caplog.text
        pusher = http_pusher.HttpPusher(url)
        try:
            assert (await pusher.push("query", "AB12CDE"))[0] == 200
        finally:
            await pusher.close()
        assert received == ["GET"]
        assert await hass.config_entries.async_unload(entry.entry_id)
        # our unload left the other handler's webhook in place: it still receives
        pusher = http_pusher.HttpPusher(url)
        try:
            assert (await pusher.push("query", "AB12CDE"))[0] == 200
        finally:
            await pusher.close()
        assert received == ["GET", "GET"]
    finally:
        webhook.async_unregister(hass, webhook_id)
    assert events.plates == []


async def test_oversize_part_diagnostics_and_log_flood(
    hass: HomeAssistant, hass_client_no_auth: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A picture part over the 8 MiB part cap is skipped with a warning and the plate still
    arrives; diagnostics count what happened without the secret; a camera sending one bad
    payload over and over warns once."""
    entry, _sub, url, events = await _camera(hass, hass_client_no_auth, secret="s3cret")
    pusher = http_pusher.HttpPusher(url)
    auth = {"X-ANPR-Secret": "s3cret"}
    try:
        boundary = "ffboundary"
        body = http_pusher.multipart(
            [
                ("event", "application/json", None, json.dumps({"plate": "PART123"}).encode()),
                ("image", "image/jpeg", "frame.jpg", b"\xff\xd8" + b"\x00" * (9 * 1024 * 1024)),
            ],
            boundary,
        )
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", **auth}
        assert await pusher.send("POST", "", headers, body) == (200, "OK\n")
        await events.wait(1)
        for _ in range(3):
            status, _ = await pusher.send("POST", "", {"Content-Type": "text/csv", **auth}, b"a")
            assert status == 400
        # 70 different unknown content types: every one warned once, memory stays bounded.
        for n in range(70):
            headers = {"Content-Type": f"application/x-cam{n}", **auth}
            assert (await pusher.send("POST", "", headers, b"x"))[0] == 400
        assert (await pusher.push("query", "AFTER01"))[0] == 401
        status, _ = await pusher.send("GET", "?description=AFTER01&token=s3cret", {}, b"")
        assert status == 200
        await events.wait(2)
    finally:
        await pusher.close()
    assert events.plates == ["PART123", "AFTER01"]
    assert "part image over the size cap" in caplog.text
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum("unsupported content type text/csv" in w for w in warnings) == 1
    assert sum("unsupported content type application/x-cam69" in w for w in warnings) == 1
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    (cam,) = diagnostics["cameras"].values()
    source = cam["source"]
    assert source["secret_set"] is True
    assert source["counters"]["reads"] == 2
    assert source["counters"]["rejected"] == 73
    assert source["counters"]["unauthorized"] == 1
    assert source["last_format"] == "plate_query"
    assert "s3cret" not in str(diagnostics)
    assert await hass.config_entries.async_unload(entry.entry_id)
