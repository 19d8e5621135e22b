"""The source interface: how a camera kind plugs into the integration.

A *source kind* is one module in ``sources/`` that defines

* a subclass of :class:`AnprSource` (the running adapter: lifecycle, reconnect, webhook), and
* a :class:`SourceKind` descriptor (config-flow schema, validation, capabilities),

and registers the descriptor with :func:`register`. ``sources/__init__.py`` imports the modules,
so adding a kind is one new module plus one import line. The config flow, entities and pipeline
never look inside a kind. Data flows one way: the adapter parses with a pure module from
``protocols/`` and calls :attr:`SourceContext.deliver` with a
:class:`~custom_components.anpr.protocols.models.PlateRead`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
import random
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
import voluptuous as vol

from ..const import DOMAIN, LOGGER
from ..protocols.models import PlateRead

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry


class SourceValidationError(HomeAssistantError):
    """Raised by :attr:`SourceKind.validate` to show an error in the flow.

    ``field`` is the form field the error is attached to (``"base"`` for the whole form) and
    ``error`` a key under ``config_subentries.camera.error`` in ``translations/en.json``.
    """

    def __init__(
        self, error: str, field: str = "base", placeholders: Mapping[str, str] | None = None
    ) -> None:
        """Store the translation key, the field and optional placeholders."""
        super().__init__(error)
        self.error = error
        self.field = field
        self.placeholders = dict(placeholders or {})


class SourceAuthError(SourceValidationError):
    """Credentials were refused (HTTP 401, login refused); leads to reauth."""

    def __init__(self, field: str = "base") -> None:
        """Attach ``invalid_auth`` to ``field``."""
        super().__init__("invalid_auth", field)


@dataclass(kw_only=True)
class ValidatedCamera:
    """What a successful :attr:`SourceKind.validate` returns.

    ``data`` replaces the user input as the subentry data (it may add e.g. serial and model read
    from the camera); ``unique_id`` makes the camera unique within the hub (serial, MAC, path);
    ``device`` is extra device-registry info (keys: manufacturer, model, serial_number,
    sw_version, hw_version, mac, configuration_url).
    """

    data: dict[str, Any]
    unique_id: str | None = None
    device: dict[str, str] = field(default_factory=dict)


@dataclass(kw_only=True)
class SourceContext:
    """Everything a running source may use; built by the runtime for one camera subentry.

    Callbacks run in the event loop:
    - ``deliver(read)`` hands a read to validation and the pipeline (the context stamps
      ``camera_id`` and ``source``); returns False when validation dropped the read (plate
      empty, too long, not letters and digits; ``core/validation.py``); never raises.
    - ``set_connected(bool)`` drives the connectivity binary_sensor and entity availability and
      logs once on loss and once on recovery (log-when-unavailable).
    - ``request_reauth()`` starts the reauth flow for this camera (credentials refused).
    """

    hass: HomeAssistant
    entry: ConfigEntry[Any]
    camera_id: str
    name: str
    data: Mapping[str, Any]
    deliver: Callable[[PlateRead], bool]
    set_connected: Callable[[bool], None]
    request_reauth: Callable[[], None]
    device: dict[str, str] = field(default_factory=dict)

    def store(self, key: str) -> Store[dict[str, Any]]:
        """Return a persistent JSON store private to this camera (e.g. a catch-up cursor)."""
        return Store(self.hass, 1, f"{DOMAIN}.{self.camera_id}.{key}")

    def create_task(self, coro: Awaitable[Any], name: str) -> Any:
        """Run ``coro`` as a background task cancelled when the hub entry unloads."""
        return self.entry.async_create_background_task(
            self.hass, coro, f"{DOMAIN} {self.name} {name}"  # type: ignore[arg-type]
        )


class AnprSource(ABC):
    """A running camera adapter. One instance per camera subentry while the hub is loaded.

    Contract:
    - :meth:`async_start` returns quickly (≤ 100 ms); network connections are made in
      background tasks created with :meth:`SourceContext.create_task`.
    - :meth:`async_stop` releases every socket, task, webhook and thread it started.
    - Bad input is logged (never with secrets or image bytes) and skipped; the source keeps
      running.
    """

    def __init__(self, ctx: SourceContext) -> None:
        """Keep the context."""
        self.ctx = ctx

    @abstractmethod
    async def async_start(self) -> None:
        """Start receiving reads."""

    @abstractmethod
    async def async_stop(self) -> None:
        """Stop receiving reads and release every resource."""

    async def async_trigger(self) -> None:
        """Ask the camera to read a plate now (only kinds with ``supports_trigger``)."""
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="trigger_not_supported",
            translation_placeholders={"camera": self.ctx.name},
        )

    @callback
    def diagnostics(self) -> dict[str, Any]:
        """Return counters and state for diagnostics; never secrets, plates or image bytes."""
        return {}

    @property
    def configuration_url(self) -> str | None:
        """URL shown on the device page (camera web UI, or the webhook to paste)."""
        return None


SchemaFactory = Callable[[HomeAssistant, Mapping[str, Any]], vol.Schema]
"""``schema(hass, current)``: the kind's form fields with the defaults of a new camera.

``current`` holds the settings the form will show (empty for a new camera); the config flow
pre-fills the fields with them (suggested values), so a kind uses ``current`` only where its
choices depend on it (Frigate lists the camera already chosen).
"""
Validator = Callable[[HomeAssistant, dict[str, Any]], Awaitable[ValidatedCamera]]
Placeholders = Callable[[HomeAssistant, Mapping[str, Any]], dict[str, str]]
Preparer = Callable[[HomeAssistant, dict[str, Any]], Awaitable[None] | None]


@dataclass(frozen=True, kw_only=True)
class SourceKind:
    """How the config flow offers a kind and how the runtime builds it.

    - ``kind``: the menu option and the ``kind`` value stored in the subentry data; its form
      step id in ``translations/en.json`` is ``config_subentries.camera.step.<kind>``.
    - ``schema(hass, current)``: the kind's own fields with the defaults of a new camera (the
      flow adds name and the common per-camera tunables, and pre-fills every field from the
      camera's settings on reconfigure or from a failed submit); see :data:`SchemaFactory`.
    - ``validate(hass, user_input)``: test the connection (test-before-configure); raise
      :class:`SourceValidationError` / :class:`SourceAuthError`.
    - ``prepare(hass, flow_data)``: fill generated values before the form is first shown (a
      webhook id; kept in the subentry data) or learn what the form offers (Frigate's camera
      names); it may be a coroutine function.
    - ``placeholders(hass, flow_data)``: description placeholders for the form (webhook URL).
    - ``auth_fields``: fields asked again in the reauth flow (empty: no credentials).
    - ``unique_id_from_config``: the unique id is derived from settings the user may change
      (a folder path), not read from the device: reconfigure then moves the camera to the new
      unique id instead of refusing it as another device.
    - ``image_entities``: keys of the image entities the kind can fill (``picture``: the
      full/vehicle picture, ``plate_picture``: the plate crop); a kind that never delivers a
      crop (folder) or any picture (NVR text) gets no entity that would stay unknown.
    """

    kind: str
    factory: Callable[[SourceContext], AnprSource]
    schema: SchemaFactory
    validate: Validator
    prepare: Preparer | None = None
    placeholders: Placeholders | None = None
    is_stream: bool = False
    supports_trigger: bool = False
    auth_fields: tuple[str, ...] = ()
    unique_id_from_config: bool = False
    image_entities: tuple[str, ...] = ("picture", "plate_picture")
    manufacturer: str = "Generic"
    model: str = "ANPR camera"


class Backoff:
    """Exponential back-off with jitter between reconnects to a camera.

    :meth:`next_delay` returns the current delay (seconds) scaled by a random factor 0.5-1.5,
    so many cameras that lost the same network do not reconnect in step, then doubles the delay
    up to ``maximum``; :meth:`reset` (after a successful connection) starts again at
    ``initial``.
    """

    def __init__(self, initial: float, maximum: float) -> None:
        """Start at ``initial`` seconds; never more than ``maximum`` (before jitter)."""
        self.initial = initial
        self.maximum = maximum
        self.current = initial

    def next_delay(self) -> float:
        """Return the next delay with jitter and double the delay after it."""
        delay = self.current * (0.5 + random.random())
        self.current = min(self.current * 2, self.maximum)
        return delay

    def reset(self) -> None:
        """Start over after a successful connection: the next failure waits ``initial``."""
        self.current = self.initial


class BackgroundTasks:
    """The background tasks one running source started; :meth:`async_cancel_all` ends them.

    Tasks are created with :meth:`SourceContext.create_task` (cancelled with the hub entry
    too) and forgotten when they finish.
    """

    def __init__(self, ctx: SourceContext) -> None:
        """Start with no task."""
        self._ctx = ctx
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Run ``coro`` as a background task named after the camera and ``name``."""
        task: asyncio.Task[Any] = self._ctx.create_task(coro, name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def async_cancel_all(self) -> None:
        """Cancel every running task and wait until they ended."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()


SOURCE_KINDS: dict[str, SourceKind] = {}


def register(spec: SourceKind) -> SourceKind:
    """Register a source kind (called once at import by each ``sources/<kind>.py``)."""
    if spec.kind in SOURCE_KINDS:
        LOGGER.debug("Source kind %s registered twice; keeping the first", spec.kind)
        return SOURCE_KINDS[spec.kind]
    SOURCE_KINDS[spec.kind] = spec
    return spec
