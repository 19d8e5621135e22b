"""``ha_entity`` source kind: plate reads from entities of other Home Assistant integrations.

The user picks one or more entities that report plates (UniFi Protect's vehicle event entity
``event.<camera>_vehicle``, Frigate's plate sensors, a template or MQTT sensor...) and, when the
defaults do not fit, the attribute holding the plate (``protocols/ha_entity.py`` has the
defaults per integration). Every state change that shows a plate is a read: an event entity's
new timestamp, a sensor's new state, or a new value of the chosen attribute. Not a read: the
state an entity starts with or comes back with from ``unavailable`` (a restart or reconnection
is not a vehicle), and ``unknown``/``unavailable`` states.

Picture: when a camera or image entity is chosen, each read waits for its current picture
(``camera.async_get_image``; image entities through ``image.async_get_image`` where Home
Assistant has it, else the entity's picture URL), at most :data:`PICTURE_TIMEOUT` seconds; a
failure delivers the read without it.

Connectivity: on while at least one of the entities is available.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
import contextlib
from typing import Any, Final

from homeassistant.const import CONF_ENTITIES, STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, State, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er, selector
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.httpx_client import get_async_client
from homeassistant.helpers.importlib import async_import_module
from homeassistant.helpers.network import NoURLAvailableError, get_url
import httpx
import voluptuous as vol

from ..const import LOGGER
from ..protocols.ha_entity import HaEntityError, Profile, plate_value, profile_for, read_from_state
from ..protocols.imageinfo import image_size
from ..protocols.models import ImageRole, PlateRead, ReadImage
from .base import (
    AnprSource,
    SourceContext,
    SourceKind,
    SourceValidationError,
    ValidatedCamera,
    register,
)

KIND: Final = "ha_entity"
CONF_PLATE_ATTRIBUTE: Final = "plate_attribute"
CONF_PICTURE_ENTITY: Final = "picture_entity"

PICTURE_TIMEOUT: float = 5.0
PLATE_DOMAINS: Final = ["event", "sensor", "input_text", "text"]
PICTURE_DOMAINS: Final = ["camera", "image"]


class HaEntitySource(AnprSource):
    """Watches the chosen entities (see the module docstring)."""

    def __init__(self, ctx: SourceContext) -> None:
        """Read the settings."""
        super().__init__(ctx)
        self.entities = [str(e) for e in ctx.data.get(CONF_ENTITIES) or []]
        self.plate_attribute = str(ctx.data.get(CONF_PLATE_ATTRIBUTE) or "").strip() or None
        self.picture_entity = str(ctx.data.get(CONF_PICTURE_ENTITY) or "").strip() or None
        self._unsub: Callable[[], None] | None = None
        self._fetches: set[asyncio.Task[None]] = set()
        self.counters: dict[str, int] = {
            "state_changes": 0,
            "reads": 0,
            "bad_states": 0,
            "pictures": 0,
            "picture_failures": 0,
        }
        self.last_error: str | None = None

    async def async_start(self) -> None:
        """Follow the entities' state changes."""
        self._unsub = async_track_state_change_event(
            self.ctx.hass, self.entities, self._async_state_changed
        )
        self._update_connected()

    async def async_stop(self) -> None:
        """Stop following; reads waiting for a picture are delivered without it."""
        if self._unsub is not None:
            self._unsub()
            self._unsub = None
        for task in list(self._fetches):
            task.cancel()
        for task in list(self._fetches):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _profile(self, state: State) -> Profile:
        entry = er.async_get(self.ctx.hass).async_get(state.entity_id)
        return profile_for(entry.platform if entry else None, state.domain, state.attributes)

    @callback
    def _update_connected(self) -> None:
        states = [self.ctx.hass.states.get(e) for e in self.entities]
        self.ctx.set_connected(any(s is not None and s.state != STATE_UNAVAILABLE for s in states))

    @callback
    def _async_state_changed(self, event: Event[EventStateChangedData]) -> None:
        self._update_connected()
        old, new = event.data["old_state"], event.data["new_state"]
        # A first state or a return from "unavailable" (restart, reconnection) is no vehicle.
        if new is None or old is None or old.state == STATE_UNAVAILABLE:
            return
        self.counters["state_changes"] += 1
        profile = self._profile(new)
        try:
            if new.state == old.state and plate_value(
                new.state, new.attributes, profile, self.plate_attribute
            ) == plate_value(old.state, old.attributes, profile, self.plate_attribute):
                return  # an attribute we do not read changed
            read = read_from_state(
                new.entity_id,
                new.state,
                new.attributes,
                profile,
                plate_attribute=self.plate_attribute,
                changed=new.last_changed,
            )
        except HaEntityError as err:
            self.counters["bad_states"] += 1
            self.last_error = str(err)
            LOGGER.warning("Camera %s: skipped a state of %s: %s", self.ctx.name,
                           new.entity_id, err)  # fmt: skip
            return
        if read is None:
            return
        read.source = KIND
        if self.picture_entity is None:
            self._deliver(read)
            return
        task = self.ctx.hass.async_create_background_task(
            self._async_with_picture(read), f"anpr {self.ctx.name} picture"
        )
        self._fetches.add(task)
        task.add_done_callback(self._fetches.discard)

    @callback
    def _deliver(self, read: PlateRead) -> None:
        self.counters["reads"] += 1
        self.ctx.deliver(read)

    async def _async_with_picture(self, read: PlateRead) -> None:
        try:
            async with asyncio.timeout(PICTURE_TIMEOUT):
                data, ctype = await self._async_picture()
        except asyncio.CancelledError:
            self._deliver(read)
            raise
        except (HomeAssistantError, httpx.HTTPError, TimeoutError, ValueError) as err:
            self.counters["picture_failures"] += 1
            LOGGER.debug("Camera %s: picture not taken (%s)", self.ctx.name, err or "timeout")
        else:
            self.counters["pictures"] += 1
            read.images.append(ReadImage(data=data, content_type=ctype, role=ImageRole.FULL))
        self._deliver(read)

    async def _async_picture(self) -> tuple[bytes, str]:
        """Return the picture entity's current picture; raises on any failure."""
        hass = self.ctx.hass
        entity_id = str(self.picture_entity)
        domain = entity_id.split(".", 1)[0]
        module = await async_import_module(hass, f"homeassistant.components.{domain}")
        getter = getattr(module, "async_get_image", None)
        if getter is not None:
            image = await getter(hass, entity_id)
            data, ctype = bytes(image.content), str(image.content_type)
        else:  # image entities before Home Assistant had image.async_get_image
            data, ctype = await self._async_picture_url(entity_id)
        if not image_size(data):
            raise ValueError("not a picture")
        return data, ctype

    async def _async_picture_url(self, entity_id: str) -> tuple[bytes, str]:
        state = self.ctx.hass.states.get(entity_id)
        path = state.attributes.get("entity_picture") if state else None
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError(f"{entity_id} has no picture")
        try:
            base = get_url(self.ctx.hass, prefer_external=False)
        except NoURLAvailableError as err:
            raise ValueError("Home Assistant has no local URL") from err
        resp = await get_async_client(self.ctx.hass).get(base + path)
        resp.raise_for_status()
        return resp.content, resp.headers.get("content-type", "image/jpeg").split(";")[0]

    @callback
    def diagnostics(self) -> dict[str, Any]:
        """Counters and settings; never states or plates."""
        return {
            "entities": len(self.entities),
            "plate_attribute": self.plate_attribute,
            "picture_entity_set": self.picture_entity is not None,
            "counters": dict(self.counters),
            "last_error": self.last_error,
        }


# --- Config flow glue -------------------------------------------------------------------------


def _schema(hass: HomeAssistant, current: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_ENTITIES, default=[]): selector.EntitySelector(
                selector.EntitySelectorConfig(domain=PLATE_DOMAINS, multiple=True)
            ),
            vol.Optional(CONF_PLATE_ATTRIBUTE, default=""): selector.TextSelector(),
            vol.Optional(CONF_PICTURE_ENTITY): selector.EntitySelector(
                selector.EntitySelectorConfig(domain=PICTURE_DOMAINS)
            ),
        }
    )


async def _validate(hass: HomeAssistant, data: dict[str, Any]) -> ValidatedCamera:
    """Check that the entities and the picture entity exist (a state or a registry entry)."""
    entities = [str(e).strip() for e in data.get(CONF_ENTITIES) or [] if str(e).strip()]
    if not entities:
        raise SourceValidationError("entity_required", CONF_ENTITIES)
    registry = er.async_get(hass)

    def exists(entity_id: str) -> bool:
        return hass.states.get(entity_id) is not None or registry.async_get(entity_id) is not None

    if not all(exists(e) for e in entities):
        raise SourceValidationError("entity_not_found", CONF_ENTITIES)
    picture = str(data.get(CONF_PICTURE_ENTITY) or "").strip()
    if picture and (picture.split(".", 1)[0] not in PICTURE_DOMAINS or not exists(picture)):
        raise SourceValidationError("entity_not_found", CONF_PICTURE_ENTITY)
    attribute = str(data.get(CONF_PLATE_ATTRIBUTE) or "").strip()
    data = dict(data) | {
        CONF_ENTITIES: entities,
        CONF_PLATE_ATTRIBUTE: attribute,
        CONF_PICTURE_ENTITY: picture,
    }
    return ValidatedCamera(
        data=data,
        unique_id=f"ha_entity_{','.join(sorted(entities))}",
        device={"manufacturer": "Home Assistant", "model": "Entity plates"},
    )


register(
    SourceKind(
        kind=KIND,
        factory=HaEntitySource,
        schema=_schema,
        validate=_validate,
        is_stream=True,
        unique_id_from_config=True,
        image_entities=("picture",),
        manufacturer="Home Assistant",
        model="Entity plates",
    )
)

__all__ = ["KIND", "HaEntitySource"]
