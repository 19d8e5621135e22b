"""Config flow: the ANPR hub, its options, and one subentry per camera.

The hub is a single config entry. Cameras are subentries of type ``camera`` added with
"Add camera": a menu of the registered source kinds (``sources/``), one form per kind built from
the kind's own schema plus the common per-camera fields, validated against the camera before it
is created (test-before-configure). Reconfigure re-runs the kind's form; reauth asks a camera's
credentials again when it refuses them.
"""

from __future__ import annotations

from collections.abc import Mapping
import re
from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import selector
import voluptuous as vol

from .const import (
    CONF_CAMERA_ROLE,
    CONF_CORRECTIONS,
    CONF_DIRECTION_MODE,
    CONF_DVLA_API_KEY,
    CONF_DVLA_CACHE_HOURS,
    CONF_FUZZY_DISTANCE,
    CONF_KIND,
    CONF_MIN_CONFIDENCE,
    CONF_MQTT_DISCOVERY,
    CONF_MQTT_DISCOVERY_PREFIX,
    CONF_MQTT_ENABLED,
    CONF_MQTT_QOS,
    CONF_MQTT_RETAIN,
    CONF_MQTT_ROOT,
    CONF_PICTURE_RETENTION_DAYS,
    CONF_PLATE_COUNTRY,
    CONF_PRESENCE_TIMEOUT,
    CONF_PRIVACY_MODE,
    CONF_REPEAT_WINDOW,
    CONF_RETENTION_DAYS,
    CONF_SAVE_IMAGES,
    CONF_SHOW_PANEL,
    CONF_UNREADABLE_EVENTS,
    CONF_VISIT_RETENTION_DAYS,
    CONF_VISIT_TIMEOUT,
    DEFAULT_DVLA_CACHE_HOURS,
    DEFAULT_FUZZY_DISTANCE,
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_MQTT_DISCOVERY_PREFIX,
    DEFAULT_MQTT_ROOT,
    DEFAULT_PRESENCE_TIMEOUT,
    DEFAULT_REPEAT_WINDOW,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_VISIT_TIMEOUT,
    DOMAIN,
    LOGGER,
    SUBENTRY_CAMERA,
)
from .core.matching import COUNTRY_FORMATS
from .core.pipeline import DIRECTION_AS_REPORTED, DIRECTION_MODES, Correction
from .core.visits import CAMERA_ROLES, DEFAULT_ROLE
from .list_editor import ListEditorMixin
from .sources import (
    SOURCE_KINDS,
    SourceKind,
    dahua,
    folder,
    frigate,
    ha_entity,
    hikvision,
    http_push,
    milesight_tcp,
    nvr_text,
    onvif,
)
from .sources.base import SourceAuthError, SourceValidationError, ValidatedCamera


def _common_schema() -> dict[vol.Marker, Any]:
    """Per-camera tunables every kind's form ends with (defaults of a new camera)."""
    return {
        vol.Required(CONF_REPEAT_WINDOW, default=DEFAULT_REPEAT_WINDOW): selector.NumberSelector(
            selector.NumberSelectorConfig(
                min=0, max=3600, step=1, unit_of_measurement="s",
                mode=selector.NumberSelectorMode.BOX,
            )
        ),
        vol.Required(CONF_MIN_CONFIDENCE, default=DEFAULT_MIN_CONFIDENCE): selector.NumberSelector(
            selector.NumberSelectorConfig(
                min=0, max=1, step=0.01, mode=selector.NumberSelectorMode.BOX
            )
        ),
        vol.Required(CONF_DIRECTION_MODE, default=DIRECTION_AS_REPORTED): selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=DIRECTION_MODES, translation_key="direction_mode"
            )
        ),
        vol.Required(CONF_CAMERA_ROLE, default=DEFAULT_ROLE): selector.SelectSelector(
            selector.SelectSelectorConfig(options=CAMERA_ROLES, translation_key="camera_role")
        ),
        vol.Required(CONF_UNREADABLE_EVENTS, default=False): selector.BooleanSelector(),
    }


def camera_schema(
    hass: HomeAssistant, spec: SourceKind, current: Mapping[str, Any], *, with_name: bool
) -> vol.Schema:
    """Build a camera form: name, the kind's own fields, then the common tunables.

    The fields carry the defaults of a new camera; the flow pre-fills them from ``current``
    (the camera's settings, or what a failed submit entered) as suggested values.
    """
    fields: dict[vol.Marker, Any] = {}
    if with_name:
        fields[vol.Required(CONF_NAME, default="")] = selector.TextSelector()
    fields.update(spec.schema(hass, current).schema)
    fields.update(_common_schema())
    return vol.Schema(fields)


class AnprConfigFlow(ConfigFlow, domain=DOMAIN):
    """The hub entry (single instance) and camera reauthentication."""

    VERSION = 1
    MINOR_VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Hub options."""
        return AnprOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Cameras are subentries."""
        return {SUBENTRY_CAMERA: CameraSubentryFlow}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Create the hub (no questions; cameras come next)."""
        if user_input is not None:
            return self.async_create_entry(title="ANPR", data={})
        return self.async_show_form(step_id="user", data_schema=vol.Schema({}))

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Handle a camera that refused its credentials (context carries its subentry id)."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask the camera's credentials again and test them."""
        entry = self._get_reauth_entry()
        subentry_id = self.context.get("subentry_id")
        subentry = entry.subentries.get(str(subentry_id))
        if subentry is None:
            return self.async_abort(reason="camera_not_found")
        spec = SOURCE_KINDS.get(str(subentry.data.get(CONF_KIND)))
        if spec is None or not spec.auth_fields:
            return self.async_abort(reason="camera_not_found")
        errors: dict[str, str] = {}
        if user_input is not None:
            data = dict(subentry.data) | user_input
            try:
                validated = await spec.validate(self.hass, data)
            except SourceValidationError as err:
                errors[err.field] = err.error
            except Exception:
                LOGGER.exception("Unexpected error re-authenticating %s", subentry.title)
                errors["base"] = "unknown"
            else:
                self.hass.config_entries.async_update_subentry(
                    entry, subentry, data=_stored_data(subentry.data, validated)
                )
                return self.async_abort(reason="reauth_successful")
        schema = vol.Schema(
            {
                vol.Required(
                    field, default="" if "password" in field else subentry.data.get(field, "")
                ): selector.TextSelector(
                    selector.TextSelectorConfig(
                        type=selector.TextSelectorType.PASSWORD
                        if "password" in field
                        else selector.TextSelectorType.TEXT
                    )
                )
                for field in spec.auth_fields
            }
        )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=schema,
            errors=errors,
            description_placeholders={"camera": subentry.title},
        )


def _stored_data(previous: Mapping[str, Any], validated: ValidatedCamera) -> dict[str, Any]:
    """Subentry data: the validated settings plus device details (kept across reconfigure)."""
    data = dict(validated.data)
    data["device"] = dict(previous.get("device", {})) | validated.device
    return data


class CameraSubentryFlow(ConfigSubentryFlow):
    """Add or reconfigure a camera: menu of source kinds, then the kind's form."""

    def __init__(self) -> None:
        """Start with no kind chosen."""
        self._kind: str | None = None
        self._flow_data: dict[str, Any] = {}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Pick how the camera delivers its reads."""
        return self.async_show_menu(step_id="user", menu_options=list(SOURCE_KINDS))

    # One step per source kind: the menu option, and the form it opens (``step.<kind>`` in
    # translations/en.json). A new kind adds its step here and its reconfigure step below.

    async def async_step_dahua(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Dahua ITC camera (snapManager / eventManager stream)."""
        return await self.async_handle_kind(dahua.KIND, user_input)

    async def async_step_folder(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Pictures uploaded into a watched folder."""
        return await self.async_handle_kind(folder.KIND, user_input)

    async def async_step_frigate(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Frigate camera (MQTT)."""
        return await self.async_handle_kind(frigate.KIND, user_input)

    async def async_step_ha_entity(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Plates shown by Home Assistant entities."""
        return await self.async_handle_kind(ha_entity.KIND, user_input)

    async def async_step_hikvision(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Hikvision ISAPI camera (alertStream or HTTP listening)."""
        return await self.async_handle_kind(hikvision.KIND, user_input)

    async def async_step_http_push(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Camera that pushes to a webhook."""
        return await self.async_handle_kind(http_push.KIND, user_input)

    async def async_step_milesight_tcp(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Milesight camera over its TCP push protocol."""
        return await self.async_handle_kind(milesight_tcp.KIND, user_input)

    async def async_step_nvr_text(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """LPR app that writes plates as NVR text."""
        return await self.async_handle_kind(nvr_text.KIND, user_input)

    async def async_step_onvif(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """ONVIF camera (metadata stream or PullPoint)."""
        return await self.async_handle_kind(onvif.KIND, user_input)

    async def async_handle_kind(
        self, kind: str, user_input: dict[str, Any] | None
    ) -> SubentryFlowResult:
        """Show a kind's form for a new camera; validate and create the camera on submit."""
        spec = SOURCE_KINDS[kind]
        if self._kind != kind:
            self._kind = kind
            self._flow_data = {CONF_KIND: kind}
            if spec.prepare is not None and (
                pending := spec.prepare(self.hass, self._flow_data)
            ) is not None:
                await pending
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        current: dict[str, Any] = dict(self._flow_data)
        if user_input is not None:
            current.update(user_input)
            name = str(user_input.get(CONF_NAME, "")).strip()
            entry = self._get_entry()
            if not name:
                errors[CONF_NAME] = "name_required"
            elif any(
                sub.title.casefold() == name.casefold() for sub in entry.subentries.values()
            ):
                errors[CONF_NAME] = "name_exists"
            else:
                data = self._flow_data | user_input | {CONF_NAME: name}
                result = await self._async_validate(spec, data, errors, placeholders)
                if result is not None:
                    if result.unique_id and any(
                        sub.unique_id == result.unique_id for sub in entry.subentries.values()
                    ):
                        return self.async_abort(reason="already_configured")
                    return self.async_create_entry(
                        title=name,
                        data=_stored_data({}, result),
                        unique_id=result.unique_id,
                    )
        if spec.placeholders is not None:
            placeholders.update(spec.placeholders(self.hass, self._flow_data))
        return self.async_show_form(
            step_id=kind,
            data_schema=self.add_suggested_values_to_schema(
                camera_schema(self.hass, spec, current, with_name=True), current
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def _async_validate(
        self,
        spec: SourceKind,
        data: dict[str, Any],
        errors: dict[str, str],
        placeholders: dict[str, str],
    ) -> ValidatedCamera | None:
        try:
            validated = await spec.validate(self.hass, data)
        except SourceAuthError as err:
            errors[err.field] = err.error
        except SourceValidationError as err:
            errors[err.field] = err.error
            placeholders.update(err.placeholders)
        except Exception:
            LOGGER.exception("Unexpected error validating camera %s", data.get(CONF_NAME))
            errors["base"] = "unknown"
        else:
            validated.data.setdefault(CONF_KIND, spec.kind)
            return validated
        return None

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a camera's settings; the camera must stay the same device.

        The form is pre-filled with the camera's settings; its step id is
        ``reconfigure_<kind>`` (translations), whose steps below come back here.
        """
        entry = self._get_entry()
        subentry = self._get_reconfigure_subentry()
        spec = SOURCE_KINDS.get(str(subentry.data.get(CONF_KIND)))
        if spec is None:
            return self.async_abort(reason="unknown_kind")
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        current: dict[str, Any] = dict(subentry.data)
        if user_input is not None:
            current.update(user_input)
            data = dict(subentry.data) | user_input
            result = await self._async_validate(spec, data, errors, placeholders)
            if result is not None:
                if (
                    subentry.unique_id is not None
                    and result.unique_id is not None
                    and result.unique_id != subentry.unique_id
                ):
                    if not spec.unique_id_from_config:
                        return self.async_abort(reason="unique_id_mismatch")
                    if any(
                        other.unique_id == result.unique_id
                        for other in entry.subentries.values()
                        if other.subentry_id != subentry.subentry_id
                    ):
                        return self.async_abort(reason="already_configured")
                    return self.async_update_and_abort(
                        entry,
                        subentry,
                        data=_stored_data(subentry.data, result),
                        unique_id=result.unique_id,
                    )
                return self.async_update_and_abort(
                    entry, subentry, data=_stored_data(subentry.data, result)
                )
        if spec.placeholders is not None:
            placeholders.update(spec.placeholders(self.hass, subentry.data))
        return self.async_show_form(
            step_id=f"reconfigure_{spec.kind}",
            data_schema=self.add_suggested_values_to_schema(
                camera_schema(self.hass, spec, current, with_name=False), current
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    # The reconfigure form of each kind (its own translations) submits to the same step.
    async_step_reconfigure_dahua = async_step_reconfigure
    async_step_reconfigure_folder = async_step_reconfigure
    async_step_reconfigure_frigate = async_step_reconfigure
    async_step_reconfigure_ha_entity = async_step_reconfigure
    async_step_reconfigure_hikvision = async_step_reconfigure
    async_step_reconfigure_http_push = async_step_reconfigure
    async_step_reconfigure_milesight_tcp = async_step_reconfigure
    async_step_reconfigure_nvr_text = async_step_reconfigure
    async_step_reconfigure_onvif = async_step_reconfigure


def _validate_corrections(lines: list[str]) -> str | None:
    """Return the first correction line that does not parse, or None."""
    for line in lines:
        try:
            Correction.parse(line)
        except (ValueError, re.error, OverflowError):
            return line
    return None


def _days(maximum: int = 3650) -> selector.NumberSelector:
    return selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=0, max=maximum, step=1, unit_of_measurement="d",
            mode=selector.NumberSelectorMode.BOX,
        )
    )  # fmt: skip


def _hours(maximum: float, step: float) -> selector.NumberSelector:
    return selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=0, max=maximum, step=step, unit_of_measurement="h",
            mode=selector.NumberSelectorMode.BOX,
        )
    )  # fmt: skip


def _hub_settings_schema() -> vol.Schema:
    """Return the hub settings form with a new hub's defaults (the flow suggests saved ones)."""
    return vol.Schema(
        {
            vol.Optional(CONF_CORRECTIONS, default=[]): selector.TextSelector(
                selector.TextSelectorConfig(multiple=True)
            ),
            vol.Required(CONF_FUZZY_DISTANCE, default=DEFAULT_FUZZY_DISTANCE): (
                selector.NumberSelector(
                    selector.NumberSelectorConfig(
                        min=0, max=3, step=1, mode=selector.NumberSelectorMode.BOX
                    )
                )
            ),
            vol.Required(CONF_RETENTION_DAYS, default=DEFAULT_RETENTION_DAYS): _days(),
            vol.Required(CONF_VISIT_RETENTION_DAYS, default=DEFAULT_RETENTION_DAYS): _days(),
            vol.Required(CONF_PICTURE_RETENTION_DAYS, default=DEFAULT_RETENTION_DAYS): _days(),
            vol.Required(CONF_PRIVACY_MODE, default=False): selector.BooleanSelector(),
            vol.Required(CONF_VISIT_TIMEOUT, default=DEFAULT_VISIT_TIMEOUT): _hours(24 * 30, 0.25),
            vol.Optional(CONF_PLATE_COUNTRY): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=sorted(COUNTRY_FORMATS),
                    custom_value=True,
                    mode=selector.SelectSelectorMode.DROPDOWN,
                )
            ),
            vol.Required(CONF_SAVE_IMAGES, default=False): selector.BooleanSelector(),
            vol.Required(CONF_SHOW_PANEL, default=True): selector.BooleanSelector(),
            vol.Required(CONF_PRESENCE_TIMEOUT, default=DEFAULT_PRESENCE_TIMEOUT): _hours(
                24 * 30, 0.5
            ),
            vol.Optional(CONF_DVLA_API_KEY): selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
            ),
            vol.Required(CONF_DVLA_CACHE_HOURS, default=DEFAULT_DVLA_CACHE_HOURS): _hours(
                24 * 90, 1
            ),
            vol.Required(CONF_MQTT_ENABLED, default=False): selector.BooleanSelector(),
            vol.Required(CONF_MQTT_ROOT, default=DEFAULT_MQTT_ROOT): selector.TextSelector(),
            vol.Required(CONF_MQTT_QOS, default=0): selector.NumberSelector(
                selector.NumberSelectorConfig(
                    min=0, max=2, step=1, mode=selector.NumberSelectorMode.BOX
                )
            ),
            vol.Required(CONF_MQTT_RETAIN, default=True): selector.BooleanSelector(),
            vol.Required(CONF_MQTT_DISCOVERY, default=False): selector.BooleanSelector(),
            vol.Required(
                CONF_MQTT_DISCOVERY_PREFIX, default=DEFAULT_MQTT_DISCOVERY_PREFIX
            ): selector.TextSelector(),
        }
    )


class AnprOptionsFlow(ListEditorMixin, OptionsFlow):
    """Hub options: a menu of hub settings and the plate-list editor (list_editor.py)."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Menu: hub settings or plate lists."""
        return self.async_show_menu(step_id="init", menu_options=["settings", "lists"])

    async def async_step_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """One form with every hub setting (corrections, matching, history, DVLA, MQTT)."""
        errors: dict[str, str] = {}
        options = dict(self.config_entry.options)
        if user_input is not None:
            corrections = [
                line.strip() for line in user_input.get(CONF_CORRECTIONS, []) if line.strip()
            ]
            if (bad := _validate_corrections(corrections)) is not None:
                errors[CONF_CORRECTIONS] = "invalid_correction"
                LOGGER.debug("Rejected correction rule %r", bad)
            for key in (CONF_MQTT_ROOT, CONF_MQTT_DISCOVERY_PREFIX):
                # MQTT wildcards cannot be published to: every message would be refused.
                if any(char in str(user_input.get(key, "")) for char in "+#"):
                    errors[key] = "invalid_topic"
            if not errors:
                user_input[CONF_CORRECTIONS] = corrections
                return self.async_create_entry(data=options | user_input)
            options.update(user_input)
        # A setting never saved shows what the hub uses: visits and pictures are kept as
        # long as sightings, the plate country is Home Assistant's.
        retention = options.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS)
        current = {
            CONF_VISIT_RETENTION_DAYS: retention,
            CONF_PICTURE_RETENTION_DAYS: retention,
            CONF_PLATE_COUNTRY: self.hass.config.country,
        } | options
        schema = self.add_suggested_values_to_schema(_hub_settings_schema(), current)
        return self.async_show_form(step_id="settings", data_schema=schema, errors=errors)
