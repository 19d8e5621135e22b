"""Device triggers of a camera device (known / unknown / alert) in a real automation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from homeassistant.components.automation import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.components.device_automation import (
    DeviceAutomationType,
    async_get_device_automations,
)
from homeassistant.components.device_automation.exceptions import (
    InvalidDeviceAutomationConfig,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service

from custom_components.anpr.const import DOMAIN
from custom_components.anpr.device_trigger import async_attach_trigger, async_get_triggers
from custom_components.anpr.protocols.models import PlateRead

from . import kinds
from .helpers import PlateEvents, async_add_camera, async_setup_hub, device_by_identifier


async def test_device_triggers(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    camera_id = await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True})
    await hass.services.async_call(
        DOMAIN, "add_plate", {"plate": "BAD1", "group": "alert"}, blocking=True
    )
    device = device_by_identifier(hass, camera_id)
    assert device is not None

    found = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, [device.id])
    ours = sorted(t["type"] for t in found[device.id] if t["domain"] == DOMAIN)
    assert ours == ["alert", "known", "unknown", "unreadable"]

    calls = async_mock_service(hass, "test", "automation")
    assert await async_setup_component(
        hass,
        AUTOMATION_DOMAIN,
        {
            AUTOMATION_DOMAIN: [
                {
                    "alias": f"On {kind}",
                    "triggers": {
                        "platform": "device",
                        "domain": DOMAIN,
                        "device_id": device.id,
                        "type": kind,
                    },
                    "actions": {
                        "action": "test.automation",
                        "data": {"kind": kind, "plate": "{{ trigger.event.data.plate }}"},
                    },
                }
                for kind in ("alert", "unknown")
            ]
        },
    )
    await hass.async_block_till_done()
    events = PlateEvents(hass)
    now = datetime.now(UTC)
    kinds.RUNNING["Gate"].push(PlateRead(plate="bad1", time=now))
    kinds.RUNNING["Gate"].push(PlateRead(plate="NEW9", time=now + timedelta(seconds=1)))
    await events.wait(2)
    await hass.async_block_till_done()
    assert sorted((c.data["kind"], c.data["plate"]) for c in calls) == [
        ("alert", "BAD1"),
        ("unknown", "NEW9"),
    ]


async def test_no_triggers_for_other_devices(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    other = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={("other", "x")}
    )
    assert await async_get_triggers(hass, other.id) == []
    assert await async_get_triggers(hass, "missing") == []
    with pytest.raises(InvalidDeviceAutomationConfig, match="not a camera"):
        await async_attach_trigger(
            hass,
            {"platform": "device", "domain": DOMAIN, "device_id": other.id, "type": "known"},
            lambda *a: None,
            {},  # type: ignore[arg-type]
        )
