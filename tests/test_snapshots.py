"""Snapshots of every platform's entities, the devices and the diagnostics (syrupy, as core does).

One hub with fixed entry and subentry ids, so unique ids and entity ids are stable:

- ``Gate``: the test source kind as a stream camera with a trigger (connectivity, read-plate
  button, both pictures); it reads the listed plate ``AB12CDE`` (Alice) with both pictures.
- ``Drive``: an ``http_push`` webhook camera with a shared secret (no connectivity, no button).
- ``Yard``: an ``ha_entity`` camera following ``sensor.yard_plate`` (picture only); it reads
  ``KL12MNO`` through that sensor's state.
- ``Barrier``: a text-only camera (no picture entities); it reads the unlisted ``XY51ZZZ``.

The privacy hub is the same with privacy mode on (the site's privacy-rewrite sensor). Reads
arrive at fixed times a few minutes before the frozen now. Snapshots live in
``tests/snapshots/<release>/`` (``tests/conftest.py``); refresh them with
``scripts/test --env 2025.4 tests/test_snapshots.py --snapshot-update`` and ``--env latest``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
import json
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory

# Diagnostics import the hassio integration on first use, and its models (mashumaro) cannot be
# built while the clock is frozen: import it with the real clock.
import homeassistant.components.hassio  # noqa: F401
from homeassistant.config_entries import ConfigSubentryDataWithId
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.matchers import path_type

from custom_components.anpr.const import DATA_PRIVACY_SECRET, DOMAIN, SUBENTRY_CAMERA
from custom_components.anpr.protocols.models import Direction, ImageRole, PlateRead, ReadImage
from tools.emulators.milesight_tcp import fake_jpeg

from . import kinds
from .helpers import PlateEvents

NOW = datetime(2025, 6, 2, 8, 30, tzinfo=UTC)
ENTRY_ID = "01JWSNAPSHOTHUB00000000000"
PRIVACY_SECRET = "5e" * 32
WEBHOOK_ID = "anpr_0123456789abcdef"
GATE_PASSWORD = "gate-password-1"
DRIVE_SECRET = "drive-shared-secret"
YARD_ENTITY = "sensor.yard_plate"

#: What each camera's subentry holds, as the "Add camera" flow stores it.
_COMMON = {
    "min_confidence": 0.0,
    "repeat_window": 10.0,
    "camera_role": "both",
    "direction_mode": "as_reported",
    "unreadable_events": False,
}
CAMERAS: list[ConfigSubentryDataWithId] = [
    ConfigSubentryDataWithId(
        subentry_id="01JWSNAPSHOTGATE0000000000",
        subentry_type=SUBENTRY_CAMERA,
        title="Gate",
        unique_id="GATE0001",
        data={
            "kind": kinds.KIND,
            "name": "Gate",
            "stream": True,
            "trigger": True,
            "serial": "GATE0001",
            "username": "admin",
            "password": GATE_PASSWORD,
            "token": "",
            "fail": "",
            "generated": "abc",
            **_COMMON,
            "device": {
                "model": "Test cam",
                "serial_number": "GATE0001",
                "mac": "02:00:00:00:00:01",
            },
        },
    ),
    ConfigSubentryDataWithId(
        subentry_id="01JWSNAPSHOTDRIVE000000000",
        subentry_type=SUBENTRY_CAMERA,
        title="Drive",
        unique_id=None,
        data={
            "kind": "http_push",
            "name": "Drive",
            "webhook_id": WEBHOOK_ID,
            "secret": DRIVE_SECRET,
            "local_only": True,
            "max_body_mb": 20.0,
            **_COMMON,
            "device": {"model": "HTTP push"},
        },
    ),
    ConfigSubentryDataWithId(
        subentry_id="01JWSNAPSHOTYARD0000000000",
        subentry_type=SUBENTRY_CAMERA,
        title="Yard",
        unique_id=f"ha_entity_{YARD_ENTITY}",
        data={
            "kind": "ha_entity",
            "name": "Yard",
            "entities": [YARD_ENTITY],
            "plate_attribute": "",
            "picture_entity": "",
            **_COMMON,
            "device": {"manufacturer": "Home Assistant", "model": "Entity plates"},
        },
    ),
    ConfigSubentryDataWithId(
        subentry_id="01JWSNAPSHOTBARRIER0000000",
        subentry_type=SUBENTRY_CAMERA,
        title="Barrier",
        unique_id=None,
        data={
            "kind": kinds.KIND_TEXT,
            "name": "Barrier",
            **_COMMON,
            "device": {"model": "Test cam"},
        },
    ),
]

#: Plates read by the hub; none may appear in diagnostics.
PLATES = ("AB12CDE", "KL12MNO", "XY51ZZZ")
#: Settings that must never appear in diagnostics.
SECRETS = (GATE_PASSWORD, DRIVE_SECRET, WEBHOOK_ID, PRIVACY_SECRET, "GATE0001", "02:00:00:00:00:01")

#: Diagnostics values that vary from run to run: shown as their type.
VOLATILE = path_type({r"cameras\.\w+\.last_latency_ms": (float,)}, regex=True, strict=False)


@pytest.fixture(autouse=True)
def _frozen_now(freezer: FrozenDateTimeFactory) -> None:
    """Freeze the clock: states and attributes hold no wall-clock time."""
    freezer.move_to(NOW)


@pytest.fixture
def _only_platform(platform: Platform) -> Iterator[None]:
    """Load one platform: ``snapshot_platform`` expects the entities of one domain."""
    with patch("custom_components.anpr.PLATFORMS", [platform]):
        yield


async def _async_setup(hass: HomeAssistant, *, privacy: bool) -> MockConfigEntry:
    """Set up the hub, list Alice's car and deliver one read on each reading camera."""
    hass.states.async_set(YARD_ENTITY, "")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="ANPR",
        entry_id=ENTRY_ID,
        data={DATA_PRIVACY_SECRET: PRIVACY_SECRET} if privacy else {},
        options={"privacy_mode": True} if privacy else {},
        subentries_data=CAMERAS,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await hass.services.async_call(
        DOMAIN,
        "add_plate",
        {"plate": "AB12CDE", "group": "allowed", "description": "Alice"},
        blocking=True,
    )
    await hass.async_block_till_done()

    events = PlateEvents(hass)
    kinds.RUNNING["Gate"].push(
        PlateRead(
            plate="AB12CDE",
            time=NOW - timedelta(minutes=3),
            direction=Direction.IN,
            confidence=0.94,
            country="GBR",
            vehicle_make="Ford",
            vehicle_colour="blue",
            images=[
                ReadImage(fake_jpeg(64, 48), role=ImageRole.FULL),
                ReadImage(fake_jpeg(60, 16), role=ImageRole.PLATE),
            ],
        )
    )
    await events.wait(1)
    kinds.RUNNING["Barrier"].push(
        PlateRead(plate="XY51ZZZ", time=NOW - timedelta(minutes=2), direction=Direction.OUT)
    )
    await events.wait(2)
    hass.states.async_set(YARD_ENTITY, "KL12MNO")
    await events.wait(3)
    await hass.async_block_till_done(wait_background_tasks=True)
    return entry


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "_only_platform")
@pytest.mark.parametrize(
    ("platform", "privacy"),
    [
        (Platform.BINARY_SENSOR, False),
        (Platform.BUTTON, False),
        (Platform.EVENT, False),
        (Platform.IMAGE, False),
        (Platform.SENSOR, False),
        (Platform.SENSOR, True),
    ],
    ids=lambda value: value if isinstance(value, str) else ("privacy" if value else "plain"),
)
async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
    privacy: bool,
) -> None:
    """Each platform's entities: registry entries and states after the reads."""
    entry = await _async_setup(hass, privacy=privacy)
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


async def test_last_plate_links_its_picture(
    hass: HomeAssistant, snapshot: SnapshotAssertion
) -> None:
    """With every platform loaded, the last-plate sensor links its camera's picture entity.

    (The one-platform snapshots above have no image entity to link: ``image_url`` is None.)
    """
    await _async_setup(hass, privacy=False)
    assert hass.states.get("sensor.gate_last_plate") == snapshot(name="with picture entity")
    assert hass.states.get("sensor.barrier_last_plate") == snapshot(name="text only")


async def test_devices(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry, snapshot: SnapshotAssertion
) -> None:
    """The hub's devices: the cameras, the listed vehicle and the site, as the device page shows."""
    entry = await _async_setup(hass, privacy=False)
    devices = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    assert sorted(device.name for device in devices) == snapshot(name="names")
    for device in sorted(devices, key=lambda device: str(device.name)):
        assert device == snapshot(name=str(device.name))


@pytest.mark.parametrize("privacy", [False, True], ids=["plain", "privacy"])
async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
    privacy: bool,
) -> None:
    """The hub's diagnostics after the reads: counts and redacted settings, no plate, no secret."""
    entry = await _async_setup(hass, privacy=privacy)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics == snapshot(matcher=VOLATILE)
    text = json.dumps(diagnostics)
    leaked = [value for value in (*PLATES, *SECRETS) if value in text]
    assert not leaked
