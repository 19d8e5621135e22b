"""The shipped blueprints load in a real Home Assistant and do what they promise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
import shutil

from homeassistant.components.automation import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.components.blueprint import models
from homeassistant.components.blueprint.schemas import BLUEPRINT_SCHEMA
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service

from custom_components.anpr.protocols.models import Direction, ImageRole, PlateRead, ReadImage
from tools.emulators.milesight_tcp import fake_jpeg

from . import kinds
from .helpers import PlateEvents, async_add_camera, async_setup_hub

BLUEPRINTS = Path(__file__).parent.parent / "blueprints" / "automation" / "anpr"
# A real picture: ones that do not decode are dropped by the validation step.
JPEG = fake_jpeg(64, 48)


@pytest.fixture
def config_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A config dir holding the repository's blueprints as a user would install them."""
    hass.config.config_dir = str(tmp_path)
    shutil.copytree(BLUEPRINTS, tmp_path / "blueprints" / "automation" / "anpr")
    return tmp_path


@pytest.mark.parametrize("path", sorted(BLUEPRINTS.glob("*.yaml")), ids=lambda p: p.name)
def test_blueprint_schema(path: Path) -> None:
    """Every shipped file is a valid automation blueprint (HA's own schema)."""
    blueprint = models.Blueprint(
        load_yaml_dict(str(path)), expected_domain=AUTOMATION_DOMAIN, schema=BLUEPRINT_SCHEMA
    )
    assert blueprint.metadata["source_url"].endswith(path.name)
    assert "cameras" in blueprint.inputs


async def _hub_with_cameras(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True})
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Street", "stream": True})
    await hass.services.async_call(
        "anpr",
        "add_plate",
        {"plate": "AB12CDE", "group": "allowed", "description": "Alice"},
        blocking=True,
    )
    await hass.services.async_call(
        "anpr",
        "add_plate",
        {"plate": "BAD1", "group": "alert", "description": "Stolen"},
        blocking=True,
    )


def _push(
    camera: str,
    plate: str,
    direction: Direction = Direction.IN,
    later: float = 0,
    *,
    catch_up: bool = False,
) -> None:
    kinds.RUNNING[camera].push(
        PlateRead(
            plate=plate,
            direction=direction,
            confidence=0.9,
            time=datetime.now(UTC) + timedelta(seconds=later),
            images=[ReadImage(JPEG, role=ImageRole.FULL)],
            extra={"catch_up": True} if catch_up else {},
        )
    )


async def test_open_gate_blueprint(hass: HomeAssistant, config_dir: Path) -> None:
    """Known plate, arriving, on the gate camera: the cover opens; nothing else opens it."""
    await _hub_with_cameras(hass)
    opened = async_mock_service(hass, "cover", "open_cover")
    assert await async_setup_component(
        hass,
        AUTOMATION_DOMAIN,
        {
            AUTOMATION_DOMAIN: {
                "alias": "Gate",
                "use_blueprint": {
                    "path": "anpr/open_gate_for_known_plates.yaml",
                    "input": {
                        "cameras": ["event.gate_plate"],
                        "gate": {"entity_id": "cover.drive_gate"},
                        "directions": ["in", "unknown"],
                    },
                },
            }
        },
    )
    await hass.async_block_till_done()
    assert hass.states.get("automation.gate").state == "on"
    events = PlateEvents(hass)

    _push("Gate", "XX99XXX")  # unknown: no
    _push("Street", "AB12CDE")  # known but another camera: no
    _push("Gate", "AB12CDE", Direction.OUT)  # known but leaving: no
    _push("Gate", "AB12CDE", later=30, catch_up=True)  # known, but delivered late: no
    await events.wait(4)
    await hass.async_block_till_done()
    assert opened == []

    _push("Gate", "AB 12 CDE", later=60)  # known, arriving, gate camera: open
    await events.wait(5)
    await hass.async_block_till_done()
    assert len(opened) == 1
    assert opened[0].data["entity_id"] == ["cover.drive_gate"]


async def test_notify_blueprint(hass: HomeAssistant, config_dir: Path) -> None:
    """Unknown and alert plates notify with the camera picture; known plates do not."""
    await _hub_with_cameras(hass)
    sent = async_mock_service(hass, "notify", "mobile_app_phone")
    assert await async_setup_component(
        hass,
        AUTOMATION_DOMAIN,
        {
            AUTOMATION_DOMAIN: {
                "alias": "Notify",
                "use_blueprint": {
                    "path": "anpr/notify_unknown_or_alert_plates.yaml",
                    "input": {
                        "cameras": ["event.gate_plate", "event.street_plate"],
                        "notify_action": "notify.mobile_app_phone",
                    },
                },
            }
        },
    )
    await hass.async_block_till_done()
    events = PlateEvents(hass)
    _push("Gate", "AB12CDE")  # known: no notification
    _push("Street", "XY99ZZZ")
    _push("Gate", "BAD1")
    await events.wait(3)
    await hass.async_block_till_done()
    assert len(sent) == 2
    # Two cameras: their notifications may come in either order.
    alert = next(call for call in sent if call.data["message"].startswith("ALERT"))
    unknown = next(call for call in sent if call is not alert)
    assert unknown.data["title"] == "Street: XY99ZZZ"
    assert "XY99ZZZ" in unknown.data["message"]
    assert unknown.data["data"]["image"] == "/api/image_proxy/image.street_picture"
    assert alert.data["message"].startswith("ALERT: BAD1 (Stolen")
    assert alert.data["data"]["image"] == "/api/image_proxy/image.gate_picture"
