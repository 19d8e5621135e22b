"""Logbook entries for ``anpr_plate_read``, read back through the real logbook API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.anpr.logbook import describe_plate_read
from custom_components.anpr.protocols.models import Direction, PlateRead

from . import kinds
from .helpers import PlateEvents, async_add_camera, async_setup_hub


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_mock: Any, enable_custom_integrations: None) -> None:
    """The recorder (real, in memory) must start before ``hass`` is set up: override conftest."""


def test_describe_plate_read() -> None:
    assert (
        describe_plate_read(
            {
                "plate": "AB12CDE",
                "event_type": "known",
                "description": "Alice",
                "direction": "in",
                "confidence": 0.934,
            }
        )
        == "read AB12CDE (known: Alice, arriving, 93 %)"
    )
    assert (
        describe_plate_read(
            {
                "plate": "XY1",
                "event_type": "unknown",
                "description": "Unknown vehicle",
                "direction": "unknown",
                "confidence": None,
            }
        )
        == "read XY1 (unknown)"
    )
    assert describe_plate_read({"plate": "Z9", "event_type": "alert", "direction": "out"}) == (
        "read Z9 (alert, leaving)"
    )


async def test_logbook_entries(hass: HomeAssistant, hass_client: ClientSessionGenerator) -> None:
    """Each sighting shows in the logbook under the camera, linked to its event entity."""
    assert await async_setup_component(hass, "logbook", {})
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True})
    await hass.services.async_call(
        "anpr", "add_plate", {"plate": "AB12CDE", "description": "Alice"}, blocking=True
    )
    start = dt_util.utcnow() - timedelta(seconds=5)
    events = PlateEvents(hass)
    kinds.RUNNING["Gate"].push(PlateRead(plate="AB12CDE", direction=Direction.IN, confidence=0.9))
    await events.wait(1)
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)

    client = await hass_client()
    response = await client.get(f"/api/logbook/{start.isoformat()}")
    assert response.status == 200
    entries = await response.json()
    ours = [e for e in entries if e.get("domain") == "anpr"]
    assert ours, entries
    assert ours[0]["name"] == "Gate"
    assert ours[0]["message"] == "read AB12CDE (known: Alice, arriving, 90 %)"
    assert ours[0]["entity_id"] == "event.gate_plate"
    assert await hass.config_entries.async_unload(entry.entry_id)
