"""DVLA VES client and enrichment against the fake VES server on loopback (tools/emulators/dvla)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest

from custom_components.anpr.const import DOMAIN
from custom_components.anpr.core.dvla import (
    DvlaAuthError,
    DvlaUnavailable,
    VesCache,
    VesClient,
    VesResult,
    parse_vehicle,
)
from custom_components.anpr.protocols.models import PlateRead
from tools.emulators.dvla import DvlaEmulator

from . import kinds
from .helpers import PlateEvents, async_add_camera, async_setup_hub

pytestmark = pytest.mark.enable_socket
T0 = datetime(2025, 6, 3, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _recorded_reads(camera_clock: Callable[[datetime], None]) -> None:
    """Reads here carry recorded capture times (June 2025): they arrive a day later, inside the
    camera-clock window of the validation step."""
    camera_clock(T0 + timedelta(days=1))


@pytest.fixture
async def emulator() -> AsyncIterator[DvlaEmulator]:
    emu = DvlaEmulator(api_key="good-key", retry_after=120)
    await emu.start()
    yield emu
    await emu.stop()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_every_fixture_status(emulator: DvlaEmulator) -> None:
    clock = Clock()
    async with aiohttp.ClientSession() as session:
        client = VesClient(session, "good-key", base_url=emulator.url, clock=clock)
        found = await client.lookup("AA19AAA")
        assert found is not None and found.status == "found"
        assert found.vehicle["make"] == "FORD" and found.vehicle["colour"] == "RED"
        assert found.vehicle["yearOfManufacture"] == 2019
        assert found.vehicle["markedForExport"] is False
        assert emulator.bodies[-1] == {"registrationNumber": "AA19AAA"}

        bad = await client.lookup("ER19BAD")
        detail = "Invalid format for field - vehicle registration number"
        assert bad == VesResult("invalid", {}, detail)
        missing = await client.lookup("ER19NFD")
        assert missing is not None and missing.status == "not_found"
        assert missing.message == "Record for vehicle not found"

        # 429: back off for Retry-After seconds; no request meanwhile.
        with pytest.raises(DvlaUnavailable) as err:
            await client.lookup("ER19THR")
        assert err.value.status == 429 and err.value.retry_after == 120
        sent = sum(emulator.requests.values())
        with pytest.raises(DvlaUnavailable):
            await client.lookup("AA19AAA")
        assert sum(emulator.requests.values()) == sent
        clock.now += 121
        assert (await client.lookup("AA19AAA")) is not None  # success resets the back-off

        # 500 and 503 (status a JSON number): unavailable with the detail, exponential back-off.
        with pytest.raises(DvlaUnavailable) as err:
            await client.lookup("ER19ERR")
        assert err.value.status == 500 and "System Error occurred" in str(err.value)
        assert client.retry_at == pytest.approx(clock.now + 60)
        clock.now += 61
        with pytest.raises(DvlaUnavailable) as err:
            await client.lookup("ER19MNT")
        assert err.value.status == 503 and "maintenance" in str(err.value)
        assert client.retry_at == pytest.approx(clock.now + 120)  # doubled

        # Non-UK plates are never sent.
        before = sum(emulator.requests.values())
        clock.now += 1000
        assert await client.lookup("B4DM3N") is None
        assert sum(emulator.requests.values()) == before

        wrong = VesClient(session, "bad-key", base_url=emulator.url)
        with pytest.raises(DvlaAuthError):
            await wrong.lookup("AA19AAA")


async def test_unreachable_server_backs_off() -> None:
    async with aiohttp.ClientSession() as session:
        client = VesClient(session, "k", base_url="http://127.0.0.1:9")
        with pytest.raises(DvlaUnavailable):
            await client.lookup("AA19AAA")
        assert client.backing_off


def test_every_field_optional_and_typed() -> None:
    assert parse_vehicle({}) == {}
    assert parse_vehicle(None) == {}
    assert parse_vehicle({"make": "FORD", "yearOfManufacture": "2019", "co2Emissions": True,
                          "engineCapacity": 1600, "newField": "x", "nested": {"a": 1}}) == {
        "make": "FORD", "engineCapacity": 1600, "newField": "x"}  # fmt: skip


def test_cache_ttl_and_persistence() -> None:
    clock = Clock()
    cache = VesCache(3600, max_items=2, clock=clock)
    cache.put("AA19AAA", VesResult("found", {"make": "FORD"}))
    cache.put("ER19NFD", VesResult("not_found", message="x"))
    assert cache.get("AA19AAA") is not None
    restored = VesCache(3600, clock=clock)
    restored.load(cache.as_dict())
    assert restored.get("AA19AAA") == VesResult("found", {"make": "FORD"})
    clock.now += 3601
    assert cache.get("AA19AAA") is None and restored.get("ER19NFD") is None
    cache.put("A1ABC", VesResult("found"))
    cache.put("A2ABC", VesResult("found"))
    cache.put("A3ABC", VesResult("found"))
    assert len(cache) == 2 and cache.get("A1ABC") is None
    restored.load({"items": {"X": {"bad": 1}}})  # broken items are skipped


async def _hub(hass: HomeAssistant, emulator: DvlaEmulator, key: str) -> PlateEvents:
    entry = await async_setup_hub(
        hass, {"dvla_api_key": key, "dvla_base_url": emulator.url, "dvla_cache_hours": 24}
    )
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True})
    return PlateEvents(hass)


async def test_enrichment_never_delays_the_read(
    hass: HomeAssistant, emulator: DvlaEmulator
) -> None:
    emulator.delay = 0.3
    events = await _hub(hass, emulator, "good-key")
    kinds.RUNNING["Gate"].push(PlateRead(plate="AA19 AAA", time=T0))
    await events.wait(1)
    # The event fired before the DVLA answered: no reginfo yet.
    assert events.events[0]["reginfo"] is None
    state = hass.states.get("sensor.gate_last_plate")
    assert state.state == "AA19AAA" and state.attributes["reginfo"] is None
    await hass.async_block_till_done()
    state = hass.states.get("sensor.gate_last_plate")
    assert state.attributes["reginfo"]["make"] == "FORD"
    assert state.attributes["reginfo"]["status"] == "found"
    assert emulator.requests["AA19AAA"] == 1

    # The same plate again is answered from the cache (no second request).
    kinds.RUNNING["Gate"].push(PlateRead(plate="AA19AAA", time=T0 + timedelta(minutes=5)))
    await events.wait(2)
    await hass.async_block_till_done()
    assert emulator.requests["AA19AAA"] == 1
    assert hass.states.get("sensor.gate_last_plate").attributes["reginfo"]["colour"] == "RED"

    # A not-found answer is shown too; a non-UK plate is never asked about.
    kinds.RUNNING["Gate"].push(PlateRead(plate="ER19NFD", time=T0 + timedelta(minutes=6)))
    kinds.RUNNING["Gate"].push(PlateRead(plate="B4DM3N", time=T0 + timedelta(minutes=7)))
    await events.wait(4)
    await hass.async_block_till_done()
    assert emulator.requests["B4DM3N"] == 0
    assert emulator.requests["ER19NFD"] == 1

    # Errors (429/5xx) leave reginfo empty and the reads keep flowing.
    kinds.RUNNING["Gate"].push(PlateRead(plate="ER19ERR", time=T0 + timedelta(minutes=8)))
    await events.wait(5)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.gate_last_plate").attributes["reginfo"] is None


async def test_cache_survives_restart(hass: HomeAssistant, emulator: DvlaEmulator) -> None:
    events = await _hub(hass, emulator, "good-key")
    kinds.RUNNING["Gate"].push(PlateRead(plate="AA19AAA", time=T0))
    await events.wait(1)
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    kinds.RUNNING["Gate"].push(PlateRead(plate="AA19AAA", time=T0 + timedelta(hours=1)))
    await events.wait(2)
    await hass.async_block_till_done()
    assert emulator.requests["AA19AAA"] == 1
    assert hass.states.get("sensor.gate_last_plate").attributes["reginfo"]["make"] == "FORD"


async def test_bad_key_raises_repair_issue(hass: HomeAssistant, emulator: DvlaEmulator) -> None:
    events = await _hub(hass, emulator, "wrong-key")
    kinds.RUNNING["Gate"].push(PlateRead(plate="AA19AAA", time=T0))
    await events.wait(1)
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "dvla_bad_key")
    assert issue is not None and issue.translation_key == "dvla_bad_key"
    assert issue.severity is ir.IssueSeverity.ERROR
    # Lookups stop: the next plate is not sent.
    kinds.RUNNING["Gate"].push(PlateRead(plate="AA19EEE", time=T0 + timedelta(minutes=1)))
    await events.wait(2)
    await hass.async_block_till_done()
    assert emulator.requests["AA19EEE"] == 0
    # Fixing the key (options change reloads the hub) clears the issue on the next success.
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    hass.config_entries.async_update_entry(
        entry, options=entry.options | {"dvla_api_key": "good-key"}
    )
    await hass.async_block_till_done()
    kinds.RUNNING["Gate"].push(PlateRead(plate="AA19AAA", time=T0 + timedelta(minutes=2)))
    await events.wait(3)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, "dvla_bad_key") is None
