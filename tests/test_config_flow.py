"""Config flow, options flow, camera subentry flow, reconfigure and reauth: every path."""

from __future__ import annotations

from types import MappingProxyType

from homeassistant.config_entries import SOURCE_USER, ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.anpr.const import DOMAIN, SUBENTRY_CAMERA

from . import kinds
from .helpers import async_add_camera, async_setup_hub, start_camera_reconfigure


async def test_hub_created_once(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "ANPR"
    await hass.async_block_till_done()
    again = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "single_instance_allowed"


async def test_options_flow(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    # Options are a menu (hub settings / plate lists, list_editor.py); pick the settings form.
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    assert result["type"] is FlowResultType.FORM
    bad = await hass.config_entries.options.async_configure(
        result["flow_id"], {"corrections": ["([ => x"], "fuzzy_distance": 1}
    )
    assert bad["type"] is FlowResultType.FORM
    assert bad["errors"] == {"corrections": "invalid_correction"}
    missing_arrow = await hass.config_entries.options.async_configure(
        result["flow_id"], {"corrections": ["no arrow"]}
    )
    assert missing_arrow["errors"] == {"corrections": "invalid_correction"}
    done = await hass.config_entries.options.async_configure(
        result["flow_id"], {"corrections": ["^0 => O", " "], "fuzzy_distance": 2}
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options["corrections"] == ["^0 => O"]
    assert entry.options["fuzzy_distance"] == 2
    # Options change reloads the hub with the new pipeline settings.
    assert entry.runtime_data.pipeline.corrections[0].replacement == "O"


async def _settings_form(hass: HomeAssistant, entry: MockConfigEntry) -> dict:
    """Open the options flow and pick the hub settings form from its menu."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )


async def _start_camera_flow(hass: HomeAssistant, entry: MockConfigEntry) -> dict:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_CAMERA), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert "folder" in result["menu_options"]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": kinds.KIND}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == kinds.KIND
    assert result["description_placeholders"] == {"hint": "test"}
    return result


async def test_add_camera_errors_then_success(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    result = await _start_camera_flow(hass, entry)
    flow_id = result["flow_id"]
    cases = [
        ({"name": "  "}, {"name": "name_required"}),
        ({"name": "Gate", "token": "bad_auth"}, {"password": "invalid_auth"}),
        ({"name": "Gate", "token": "offline"}, {"base": "cannot_connect"}),
        ({"name": "Gate", "token": "boom"}, {"base": "unknown"}),
    ]
    for data, errors in cases:
        result = await hass.config_entries.subentries.async_configure(flow_id, data)
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == errors
    result = await hass.config_entries.subentries.async_configure(
        flow_id, {"name": "Gate", "serial": "SN1", "token": ""}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    sub = next(iter(entry.subentries.values()))
    assert sub.unique_id == "SN1"
    assert sub.data["kind"] == kinds.KIND
    assert sub.data["generated"] == "abc"  # prepare() ran before the form
    assert sub.data["device"]["model"] == "Test cam"
    assert "Gate" in kinds.RUNNING  # dynamic: started without reloading the hub

    # Same name, then same device: refused.
    result = await _start_camera_flow(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "gate", "serial": "SN2"}
    )
    assert result["errors"] == {"name": "name_exists"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Gate 2", "serial": "SN1"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reconfigure_camera(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    sid = await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "serial": "SN1"})
    started = kinds.TestSource.started

    async def start() -> dict:
        result = await start_camera_reconfigure(hass, entry, sid)
        assert result["type"] is FlowResultType.FORM
        assert result["step_id"] == f"reconfigure_{kinds.KIND}"
        return result

    result = await start()
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"token": "offline", "serial": "SN1"}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"serial": "OTHER", "token": ""}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unique_id_mismatch"

    result = await start()
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"serial": "SN1", "repeat_window": 30, "token": ""}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.subentries[sid].data["repeat_window"] == 30
    # The camera restarted in place with the new settings.
    assert kinds.TestSource.started == started + 1
    assert entry.runtime_data.cameras[sid].settings.repeat_window == 30


async def test_reconfigure_unknown_kind(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    sub = ConfigSubentry(
        data=MappingProxyType({"kind": "gone"}), subentry_type=SUBENTRY_CAMERA,
        title="Old", unique_id=None,
    )
    hass.config_entries.async_add_subentry(entry, sub)
    await hass.async_block_till_done()
    result = await start_camera_reconfigure(hass, entry, sub.subentry_id)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unknown_kind"


async def test_reauth(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    sid = await async_add_camera(
        hass, entry, kinds.KIND, {"name": "Gate", "username": "u", "password": "old"}
    )
    kinds.RUNNING["Gate"].ctx.request_reauth()
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert len(flows) == 1
    flow_id = flows[0]["flow_id"]
    assert flows[0]["step_id"] == "reauth_confirm"
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"username": "u", "password": "wrong"}
    )
    assert result["errors"] == {"password": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"username": "u", "password": "boom"}
    )
    assert result["errors"] == {"base": "unknown"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"username": "u", "password": "new"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.subentries[sid].data["password"] == "new"


async def test_reauth_camera_gone(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    result = await entry.start_reauth_flow(hass, context={"subentry_id": "missing"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "camera_not_found"


async def test_reauth_kind_without_credentials(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    sub = ConfigSubentry(
        data=MappingProxyType({"kind": "gone"}), subentry_type=SUBENTRY_CAMERA,
        title="Old", unique_id=None,
    )
    hass.config_entries.async_add_subentry(entry, sub)
    await hass.async_block_till_done()
    result = await entry.start_reauth_flow(hass, context={"subentry_id": sub.subentry_id})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "camera_not_found"


async def test_reconfigure_moves_config_derived_unique_id(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    sid = await async_add_camera(hass, entry, kinds.KIND_PATH, {"name": "Ftp", "serial": "/a"})
    await async_add_camera(hass, entry, kinds.KIND_PATH, {"name": "Ftp2", "serial": "/b"})
    result = await start_camera_reconfigure(hass, entry, sid)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"serial": "/b", "token": ""}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    result = await start_camera_reconfigure(hass, entry, sid)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"serial": "/c", "token": ""}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.subentries[sid].unique_id == "/c"


async def test_options_correction_with_huge_repeat_refused(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    result = await _settings_form(hass, entry)
    bad = await hass.config_entries.options.async_configure(
        result["flow_id"], {"corrections": ["A{99999999999} => B"]}
    )
    assert bad["errors"] == {"corrections": "invalid_correction"}


async def test_subentry_flow_has_no_unknown_steps(hass: HomeAssistant) -> None:
    """Asking the camera flow for a step that does not exist fails like any flow."""
    from custom_components.anpr.config_flow import CameraSubentryFlow  # noqa: PLC0415

    flow = CameraSubentryFlow()
    assert callable(flow.async_step_folder)
    assert callable(flow.async_step_reconfigure_folder)
    with pytest.raises(AttributeError):
        flow.async_step_nope  # noqa: B018
    with pytest.raises(AttributeError):
        flow.something_else  # noqa: B018


async def test_every_kind_has_its_steps(hass: HomeAssistant) -> None:
    """Each kind in the menu has its form step and its reconfigure step; every form opens."""
    from custom_components.anpr.config_flow import CameraSubentryFlow  # noqa: PLC0415
    from custom_components.anpr.sources import SOURCE_KINDS  # noqa: PLC0415

    flow = CameraSubentryFlow()
    for kind in SOURCE_KINDS:
        assert callable(getattr(flow, f"async_step_{kind}")), kind
        assert callable(getattr(flow, f"async_step_reconfigure_{kind}")), kind
    entry = await async_setup_hub(hass)
    for kind in SOURCE_KINDS:
        result = await hass.config_entries.subentries.async_init(
            (entry.entry_id, SUBENTRY_CAMERA), context={"source": SOURCE_USER}
        )
        assert kind in result["menu_options"]
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"next_step_id": kind}
        )
        assert result["type"] is FlowResultType.FORM, kind
        assert result["step_id"] == kind
        assert "name" in {str(key) for key in result["data_schema"].schema}
        hass.config_entries.subentries.async_abort(result["flow_id"])


async def test_reconfigure_form_suggests_the_current_settings(hass: HomeAssistant) -> None:
    """Reconfigure shows the camera's settings as suggested values over a new camera's defaults."""
    entry = await async_setup_hub(hass)
    sid = await async_add_camera(
        hass, entry, kinds.KIND, {"name": "Gate", "serial": "SN1", "repeat_window": 42}
    )
    result = await start_camera_reconfigure(hass, entry, sid)
    fields = {str(key): key for key in result["data_schema"].schema}
    assert "name" not in fields
    assert fields["repeat_window"].description == {"suggested_value": 42}
    assert fields["repeat_window"].default() == 10.0  # a new camera's default is kept
    assert fields["serial"].description == {"suggested_value": "SN1"}
    hass.config_entries.subentries.async_abort(result["flow_id"])


async def test_options_refuse_mqtt_wildcards(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    result = await _settings_form(hass, entry)
    bad = await hass.config_entries.options.async_configure(
        result["flow_id"], {"mqtt_root": "anpr/+", "mqtt_discovery_prefix": "ha/#"}
    )
    assert bad["errors"] == {"mqtt_root": "invalid_topic", "mqtt_discovery_prefix": "invalid_topic"}
    good = await hass.config_entries.options.async_configure(
        result["flow_id"], {"mqtt_root": "anpr/site1", "mqtt_discovery_prefix": "other_ha"}
    )
    assert good["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options["mqtt_root"] == "anpr/site1"
