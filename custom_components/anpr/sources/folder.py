"""Source kind ``folder``: pictures uploaded by the camera (FTP/NAS) into a watched folder.

The camera (e.g. a Hikvision with "FTP picture upload") writes one JPEG per read; the plate and
capture time are in the file name (``protocols.filename``; ``docs/protocols.md``, "Folder
uploads (file names)") and the direction optionally in the text overlay (``protocols.ocr``;
"OCR of the folder picture overlay").

How files are picked up:

* inotify (watchdog's default observer on Linux): a file counts when it is **closed after
  writing** (``on_closed``) or **moved/renamed into** the folder (``on_moved`` with the
  destination inside; many FTP servers upload to a temporary name and rename). Never on create:
  a created file is still being written.
* polling (watchdog's ``PollingObserver``, for network shares where inotify sees nothing): a file
  that appears (created, modified or moved in) counts once its size is the same on two polls.
* Files already in the folder at start-up are not replayed.

The watchdog thread only hands the path to the event loop (``call_soon_threadsafe``). Reading,
checking that the file is a picture (Pillow) run in a thread pool owned by the source (one worker
per core); OCR runs on ``protocols.ocr.OcrBatcher``'s runners (one per core), with the tesseract
library kept loaded when it is there (tesserocr: installed at start where PyPI has a wheel, unless
Home Assistant skips package installs) and the ``tesseract`` command otherwise. Reads are
delivered in the order the files arrived. Bad files (empty, not a picture, truncated JPEG, a name
that does not match) get one log line and are skipped.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
import io
import logging
import os
from pathlib import Path
import re
from typing import Any

from homeassistant.const import CONF_PATH, CONF_TIME_ZONE
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir, selector
from homeassistant.requirements import async_process_requirements
from PIL import Image, UnidentifiedImageError
import voluptuous as vol
from watchdog.events import (
    DirCreatedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from ..const import DOMAIN
from ..protocols import ocr
from ..protocols.filename import (
    FilenameError,
    FilenamePattern,
    ParsedName,
    Preset,
    has_image_extension,
    load_time_zone,
)
from ..protocols.models import (
    ImageRole,
    PlateRead,
    ReadImage,
    direction_from_vendor,
)
from .base import (
    AnprSource,
    SourceContext,
    SourceKind,
    SourceValidationError,
    ValidatedCamera,
    register,
)

_LOGGER = logging.getLogger(__name__)

KIND = "folder"

CONF_RECURSIVE = "recursive"
CONF_PATTERN = "pattern"
CONF_REGEX = "regex"
CONF_POLLING = "polling"
CONF_POLL_INTERVAL = "poll_interval"
CONF_OCR = "ocr"
CONF_OCR_X = "ocr_x"
CONF_OCR_Y = "ocr_y"
CONF_OCR_WIDTH = "ocr_width"
CONF_OCR_HEIGHT = "ocr_height"
CONF_OCR_LABEL = "ocr_label"
CONF_OCR_INVERT = "ocr_invert"
CONF_OCR_CORRECTIONS = "ocr_corrections"
CONF_OCR_VALUES = "ocr_values"

DEFAULT_POLL_INTERVAL = 5.0  # seconds
MIN_POLL_INTERVAL = 0.2
MAX_POLL_INTERVAL = 3600.0
#: Largest file we read (a camera picture is well below 5 MB).
MAX_FILE_BYTES = ocr.MAX_IMAGE_BYTES

ISSUE_TESSERACT_MISSING = "tesseract_missing"
#: Folder in Home Assistant's configuration folder searched for tesseract's language data
#: (``eng.traineddata``), for hosts where tesseract cannot be installed (Home Assistant OS).
TESSDATA_FOLDER = "tessdata"

_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}


# --------------------------------------------------------------------------- config flow


def _schema(hass: HomeAssistant, current: Mapping[str, Any]) -> vol.Schema:
    """Return the folder kind's form fields with the defaults of a new camera."""
    box = selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=0, max=1, step=0.001, mode=selector.NumberSelectorMode.BOX
        )
    )
    box_default = ocr.DEFAULT_BOX
    return vol.Schema(
        {
            vol.Required(CONF_PATH, default=""): selector.TextSelector(),
            vol.Required(CONF_RECURSIVE, default=False): selector.BooleanSelector(),
            vol.Required(
                CONF_PATTERN, default=Preset.HIKVISION_CUSTOM.value
            ): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=[p.value for p in Preset],
                    translation_key="folder_pattern",
                    mode=selector.SelectSelectorMode.DROPDOWN,
                )
            ),
            vol.Optional(CONF_REGEX, default=""): selector.TextSelector(),
            vol.Required(CONF_TIME_ZONE, default=hass.config.time_zone): selector.TextSelector(),
            vol.Required(CONF_POLLING, default=False): selector.BooleanSelector(),
            vol.Required(
                CONF_POLL_INTERVAL, default=DEFAULT_POLL_INTERVAL
            ): selector.NumberSelector(
                selector.NumberSelectorConfig(
                    min=MIN_POLL_INTERVAL,
                    max=MAX_POLL_INTERVAL,
                    step=0.1,
                    unit_of_measurement="s",
                    mode=selector.NumberSelectorMode.BOX,
                )
            ),
            vol.Required(CONF_OCR, default=False): selector.BooleanSelector(),
            vol.Required(CONF_OCR_X, default=box_default.x): box,
            vol.Required(CONF_OCR_Y, default=box_default.y): box,
            vol.Required(CONF_OCR_WIDTH, default=box_default.width): box,
            vol.Required(CONF_OCR_HEIGHT, default=box_default.height): box,
            vol.Optional(CONF_OCR_LABEL, default="Direction"): selector.TextSelector(),
            vol.Required(CONF_OCR_INVERT, default=False): selector.BooleanSelector(),
            vol.Optional(
                CONF_OCR_CORRECTIONS,
                default=ocr.format_corrections(ocr.DEFAULT_CORRECTIONS),
            ): selector.TextSelector(selector.TextSelectorConfig(multiline=True)),
            vol.Optional(
                CONF_OCR_VALUES, default=", ".join(ocr.DEFAULT_VALUES)
            ): selector.TextSelector(),
        }
    )


def _values(text: str) -> tuple[str, ...]:
    """Split the allowed-values field ("Forward, Reverse") into a tuple."""
    return tuple(v.strip() for v in re.split(r"[,\n]", text or "") if v.strip())


def build_pattern(data: Mapping[str, Any]) -> FilenamePattern:
    """Build the file-name pattern configured in ``data``; raises :class:`FilenameError`."""
    return FilenamePattern.from_preset(
        data.get(CONF_PATTERN, Preset.HIKVISION_CUSTOM.value),
        data.get(CONF_TIME_ZONE) or "UTC",
        data.get(CONF_REGEX) or None,
    )


def build_ocr_field(data: Mapping[str, Any]) -> ocr.OcrField:
    """Build the OCR field configured in ``data``; :class:`ValueError` for a bad box/regex."""
    default = ocr.DEFAULT_BOX
    box = ocr.CropBox(
        x=float(data.get(CONF_OCR_X, default.x)),
        y=float(data.get(CONF_OCR_Y, default.y)),
        width=float(data.get(CONF_OCR_WIDTH, default.width)),
        height=float(data.get(CONF_OCR_HEIGHT, default.height)),
    )
    corrections_text = data.get(CONF_OCR_CORRECTIONS)
    corrections = (
        ocr.DEFAULT_CORRECTIONS
        if corrections_text is None
        else ocr.parse_corrections(str(corrections_text))
    )
    values_text = data.get(CONF_OCR_VALUES)
    values = ocr.DEFAULT_VALUES if values_text is None else _values(str(values_text))
    return ocr.OcrField(
        box=box,
        label=str(data.get(CONF_OCR_LABEL, "Direction") or ""),
        invert=bool(data.get(CONF_OCR_INVERT, False)),
        corrections=corrections,
        values=values,
    )


def _check_folder(path: str) -> str | None:
    """Resolve ``path`` (blocking); None when it does not exist or is not a directory."""
    resolved = Path(path).expanduser().resolve()
    return str(resolved) if resolved.is_dir() else None


async def _validate(hass: HomeAssistant, user_input: dict[str, Any]) -> ValidatedCamera:
    """Check the folder, pattern, time zone and OCR settings (config-flow submit)."""
    data = dict(user_input)
    raw_path = str(data.get(CONF_PATH, "")).strip()
    if not raw_path:
        raise SourceValidationError("path_not_found", CONF_PATH)
    resolved = await hass.async_add_executor_job(_check_folder, raw_path)
    if resolved is None:
        raise SourceValidationError("path_not_found", CONF_PATH)
    if not await hass.async_add_executor_job(hass.config.is_allowed_path, resolved):
        raise SourceValidationError("path_not_allowed", CONF_PATH, {"path": resolved})
    data[CONF_PATH] = resolved
    try:
        load_time_zone(str(data.get(CONF_TIME_ZONE, "")))
    except FilenameError as err:
        raise SourceValidationError("invalid_timezone", CONF_TIME_ZONE) from err
    try:
        build_pattern(data)
    except FilenameError as err:
        raise SourceValidationError("invalid_regex", CONF_REGEX) from err
    try:
        ocr.parse_corrections(str(data.get(CONF_OCR_CORRECTIONS) or ""))
    except ValueError as err:
        raise SourceValidationError("invalid_regex", CONF_OCR_CORRECTIONS) from err
    try:
        build_ocr_field(data)
    except (ValueError, TypeError) as err:
        raise SourceValidationError("invalid_box", "base") from err
    return ValidatedCamera(data=data, unique_id=resolved)


# --------------------------------------------------------------------------- file checks


class BadFile(Exception):
    """A file that is skipped; the message is the reason (for one log line)."""


def check_picture(data: bytes) -> str:
    """Check that ``data`` is a complete JPEG or PNG and return its MIME type.

    Cheap on purpose (≤ 1 ms, no pixel decoding): Pillow parses the header; a JPEG must end with
    the EOI marker ``FF D9`` (trailing zero padding allowed), a PNG must pass ``verify()`` (chunk
    CRCs, IEND present). Raises :class:`BadFile` otherwise.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format or ""
            if fmt == "PNG":
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise BadFile(f"not a picture ({type(err).__name__})") from err
    except Image.DecompressionBombError as err:
        raise BadFile("picture too large") from err
    if fmt not in _CONTENT_TYPES:
        raise BadFile(f"unsupported picture format {fmt or 'unknown'}")
    if fmt == "JPEG" and not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        raise BadFile("truncated JPEG (no end-of-image marker)")
    return _CONTENT_TYPES[fmt]


@dataclass(slots=True)
class _Outcome:
    """What a worker made of one file."""

    read: PlateRead | None
    name: str = ""
    ocr_future: Future[ocr.OcrResult] | None = None
    tesseract_missing: bool = False
    ocr_ok: bool = False


# --------------------------------------------------------------------------- the source


class _Handler(FileSystemEventHandler):
    """Runs in the watchdog thread: filters events and hands paths to the event loop.

    The observer's ``event_filter`` (see ``_start_observer``) already lets through only file
    closes and file moves (inotify) or file creates, modifications and moves (polling); a
    directory arrives only as ``DirCreatedEvent`` (inotify, so new sub-folders get watched).
    """

    def __init__(self, source: FolderSource) -> None:
        self._source = source

    def on_closed(self, event: FileSystemEvent) -> None:
        """Inotify close-write: the writer is done with the file."""
        self._source.threadsafe_file(os.fsdecode(event.src_path))

    def on_moved(self, event: FileSystemEvent) -> None:
        """Hand over a file renamed/moved into the folder (destination inside)."""
        self._source.threadsafe_file(os.fsdecode(event.dest_path), moved=True)

    def on_created(self, event: FileSystemEvent) -> None:
        """Hand over a new file (polling only; processed once its size is stable)."""
        if self._source.polling:  # inotify: only DirCreatedEvent comes here
            self._source.threadsafe_file(os.fsdecode(event.src_path))

    def on_modified(self, event: FileSystemEvent) -> None:
        """Hand over a growing file (polling only; processed once its size is stable)."""
        self._source.threadsafe_file(os.fsdecode(event.src_path))


class FolderSource(AnprSource):
    """Watches one folder and delivers a :class:`PlateRead` per picture (see module doc)."""

    def __init__(self, ctx: SourceContext) -> None:
        """Read the settings from the subentry data."""
        super().__init__(ctx)
        data = ctx.data
        self.root = Path(str(data[CONF_PATH]))
        self.recursive = bool(data.get(CONF_RECURSIVE, False))
        self.polling = bool(data.get(CONF_POLLING, False))
        self.poll_interval = max(
            float(data.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL)), MIN_POLL_INTERVAL
        )
        self.pattern = build_pattern(data)
        self.ocr_field: ocr.OcrField | None = build_ocr_field(data) if data.get(CONF_OCR) else None
        self._observer: BaseObserver | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._batcher: ocr.OcrBatcher | None = None
        self._queue: deque[asyncio.Future[_Outcome]] = deque()
        self._pending: dict[str, int | None] = {}
        self._poll_task: asyncio.Task[None] | None = None
        self._stopping = False
        self._issue_raised = False
        self.stats: dict[str, int] = {
            "files": 0,
            "delivered": 0,
            "no_plate": 0,
            "skipped": 0,
            "ignored": 0,
            "ocr_ok": 0,
            "ocr_unreadable": 0,
        }

    @property
    def issue_id(self) -> str:
        """The repair issue id for this camera."""
        return f"{ISSUE_TESSERACT_MISSING}_{self.ctx.camera_id}"

    # ---- lifecycle

    async def async_start(self) -> None:
        """Start the pool and the watchdog observer (inotify or polling)."""
        self._stopping = False
        self._pool = ThreadPoolExecutor(
            max_workers=os.cpu_count() or 2, thread_name_prefix=f"{DOMAIN}-folder"
        )
        if self.ocr_field is not None:
            self._batcher = ocr.OcrBatcher(
                self.ocr_field,
                runners=os.cpu_count() or 2,
                tessdata_dirs=(self.ctx.hass.config.path(TESSDATA_FOLDER),),
            )
            self._batcher.start()  # runners load their engine now, not on the first read
        try:
            await self.ctx.hass.async_add_executor_job(self._start_observer)
        except Exception:
            # e.g. the folder was deleted while Home Assistant was down: the hub drops a source
            # that did not start, so release the pool (and batcher) here.
            await self.async_stop()
            raise
        if self.polling:
            self._poll_task = self.ctx.create_task(self._poll_loop(), "folder poll")
        if self.ocr_field is not None:
            self.ctx.create_task(self._prepare_ocr(), "OCR engine")

    def _start_observer(self) -> None:
        """Create and start the observer (blocking: inotify watches, first poll snapshot)."""
        observer: BaseObserver
        if self.polling:
            observer = PollingObserver(timeout=self.poll_interval)
        else:
            try:
                from watchdog.observers.inotify import InotifyObserver  # noqa: PLC0415

                # Full events: a file moved in from outside the watch is a move, not a create.
                observer = InotifyObserver(generate_full_events=True)
            except ImportError:  # pragma: no cover - not Linux
                observer = Observer()
        observer.schedule(
            _Handler(self),
            str(self.root),
            recursive=self.recursive,
            event_filter=(
                [FileCreatedEvent, FileModifiedEvent, FileMovedEvent]
                if self.polling
                # DirCreatedEvent: inotify must see new sub-folders to watch them (recursive).
                else [FileClosedEvent, FileMovedEvent, DirCreatedEvent]
            ),
        )
        observer.daemon = True
        observer.start()
        self._observer = observer

    async def async_stop(self) -> None:
        """Stop the observer and the pool; drop files not yet processed."""
        self._stopping = True
        if self._poll_task is not None:
            self._poll_task.cancel()
            self._poll_task = None
        observer, self._observer = self._observer, None
        pool, self._pool = self._pool, None
        batcher, self._batcher = self._batcher, None
        for fut in self._queue:
            fut.cancel()
        self._queue.clear()
        self._pending.clear()

        def _shutdown() -> None:
            if observer is not None:
                observer.stop()
                observer.join(5)
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
            if batcher is not None:
                batcher.close()

        await self.ctx.hass.async_add_executor_job(_shutdown)
        ir.async_delete_issue(self.ctx.hass, DOMAIN, self.issue_id)

    async def _prepare_ocr(self) -> None:
        """Install the tesseract library if it can be, then check that OCR can run at all.

        The library (:data:`ocr.TESSEROCR_REQUIREMENT`) goes through Home Assistant's own
        requirement installer, only where PyPI has a wheel and unless Home Assistant skips
        package installs (``--skip-pip``); a failed install leaves OCR on the ``tesseract``
        command. The repair issue is raised when neither the command nor the library with its
        language data is there.
        """
        hass = self.ctx.hass
        if not hass.config.skip_pip and await hass.async_add_executor_job(_library_wanted):
            try:
                await async_process_requirements(hass, DOMAIN, [ocr.TESSEROCR_REQUIREMENT])
            except HomeAssistantError as err:
                _LOGGER.info("%s: OCR uses the tesseract command: %s", self.ctx.name, err)
            else:
                _LOGGER.debug("%s: tesseract library installed", self.ctx.name)
                if (batcher := self._batcher) is not None:
                    batcher.reload_engine()
        try:
            await hass.async_add_executor_job(
                ocr.check_available, (hass.config.path(TESSDATA_FOLDER),)
            )
        except ocr.TesseractMissing:
            self._raise_tesseract_issue()

    # ---- events from the watchdog thread

    def threadsafe_file(self, path: str, moved: bool = False) -> None:
        """Hand ``path`` to the event loop (called in the watchdog thread)."""
        if self._stopping:
            return
        self.ctx.hass.loop.call_soon_threadsafe(self._file_event, path, moved)

    @callback
    def _file_event(self, path: str, moved: bool) -> None:
        """Take a file closed after writing or moved in (inotify), or seen by the poller."""
        if self._stopping or self._pool is None:
            return
        if not self._wanted(path):
            return
        if self.polling:
            self._pending.setdefault(path, None)
            return
        self._submit(path)

    def _wanted(self, path: str) -> bool:
        """Return True for a file we should look at (inside, right depth, not hidden)."""
        try:
            rel = Path(path).relative_to(self.root)
        except ValueError:
            return False
        if not rel.parts or (not self.recursive and len(rel.parts) != 1):
            return False
        name = rel.parts[-1]
        if name.startswith("."):  # FTP servers' temporary upload names (.pureftpd-upload.*)
            _LOGGER.debug("%s: ignoring hidden file %s", self.ctx.name, name)
            self.stats["ignored"] += 1
            return False
        return True

    @callback
    def _submit(self, path: str) -> None:
        """Queue ``path`` for the worker pool; results are delivered in submission order."""
        assert self._pool is not None
        self.stats["files"] += 1
        loop = self.ctx.hass.loop
        final: asyncio.Future[_Outcome] = loop.create_future()
        self._queue.append(final)
        final.add_done_callback(self._flush)
        stage = loop.run_in_executor(self._pool, self._process, path)
        stage.add_done_callback(partial(self._read_done, final))

    @callback
    def _read_done(self, final: asyncio.Future[_Outcome], stage: asyncio.Future[_Outcome]) -> None:
        """Wait for the OCR (batched) of a file that was read and checked, if it has one."""
        if final.done() or stage.cancelled():  # stopping: async_stop cancelled both
            final.cancel()
            return
        if (exc := stage.exception()) is not None:
            final.set_exception(exc)
            return
        outcome = stage.result()
        if outcome.ocr_future is None:
            final.set_result(outcome)
            return
        asyncio.wrap_future(outcome.ocr_future, loop=self.ctx.hass.loop).add_done_callback(
            partial(self._ocr_done, final, outcome)
        )

    @callback
    def _ocr_done(
        self,
        final: asyncio.Future[_Outcome],
        outcome: _Outcome,
        fut: asyncio.Future[ocr.OcrResult],
    ) -> None:
        """Put the OCR result (direction) on the read, then release it for delivery."""
        # Retrieved even when stopping ("OCR stopped"), so asyncio logs no unretrieved error.
        exc = None if fut.cancelled() else fut.exception()
        if final.done():
            return
        read = outcome.read
        assert read is not None  # an OCR future is only made for a read
        if isinstance(exc, ocr.TesseractMissing):
            outcome.tesseract_missing = True
        elif exc is not None or fut.cancelled():
            self.stats["ocr_unreadable"] += 1
            _LOGGER.warning(
                "%s: OCR of %s failed: %s", self.ctx.name, outcome.name, exc or "cancelled"
            )
        else:
            result = fut.result()
            outcome.ocr_ok = True
            read.extra["ocr_text"] = result.text
            if result.value is not None:
                self.stats["ocr_ok"] += 1
                read.direction = direction_from_vendor(result.value)
                read.direction_raw = result.value
            else:
                self.stats["ocr_unreadable"] += 1
                read.direction_raw = result.raw or None
                _LOGGER.debug(
                    "%s: OCR of %s read %r: no allowed value",
                    self.ctx.name,
                    outcome.name,
                    result.text,
                )
        final.set_result(outcome)

    @callback
    def _flush(self, _fut: asyncio.Future[_Outcome]) -> None:
        """Deliver finished reads from the head of the queue (keeps arrival order)."""
        while self._queue and self._queue[0].done():
            fut = self._queue.popleft()
            if fut.cancelled() or self._stopping:
                continue
            exc = fut.exception()
            if exc is not None:
                self.stats["skipped"] += 1
                _LOGGER.error("%s: unexpected error reading a file: %r", self.ctx.name, exc)
                continue
            outcome = fut.result()
            if outcome.tesseract_missing:
                self._raise_tesseract_issue()
            elif outcome.ocr_ok and self._issue_raised:
                self._issue_raised = False
                ir.async_delete_issue(self.ctx.hass, DOMAIN, self.issue_id)
            if outcome.read is not None:
                self.stats["delivered"] += 1
                self.ctx.deliver(outcome.read)

    @callback
    def _raise_tesseract_issue(self) -> None:
        """Create the ``tesseract_missing`` repair issue (once) and log it once."""
        if self._issue_raised:
            return
        self._issue_raised = True
        _LOGGER.warning(
            "%s: OCR is on but tesseract is not installed; reads arrive without direction",
            self.ctx.name,
        )
        ir.async_create_issue(
            self.ctx.hass,
            DOMAIN,
            self.issue_id,
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_TESSERACT_MISSING,
            translation_placeholders={"camera": self.ctx.name},
        )

    async def _poll_loop(self) -> None:
        """Process pending files once their size is stable over one interval (polling)."""
        while True:
            await asyncio.sleep(self.poll_interval)
            if not self._pending:
                continue
            paths = list(self._pending)
            sizes = await self.ctx.hass.async_add_executor_job(_sizes, paths)
            for path in paths:
                size = sizes.get(path)
                if size is None:  # gone again
                    del self._pending[path]
                elif size == self._pending[path]:
                    del self._pending[path]
                    self._submit(path)
                else:
                    self._pending[path] = size

    # ---- worker thread

    def _process(self, path: str) -> _Outcome:
        """Read, check and parse one file (worker thread). Never raises for bad input."""
        name = os.path.basename(path)
        try:
            parsed = self.pattern.parse(name)
        except FilenameError as err:
            if has_image_extension(name):
                _LOGGER.warning("%s: skipped %s: %s", self.ctx.name, name, err)
                self.stats["skipped"] += 1
            else:
                _LOGGER.debug("%s: ignoring %s (not a picture name)", self.ctx.name, name)
                self.stats["ignored"] += 1
            return _Outcome(None)
        if not parsed.has_plate:
            _LOGGER.debug("%s: %s carries no plate; skipped", self.ctx.name, name)
            self.stats["no_plate"] += 1
            return _Outcome(None)
        try:
            data = _read(path)
            content_type = check_picture(data)
        except BadFile as err:
            _LOGGER.warning("%s: skipped %s: %s", self.ctx.name, name, err)
            self.stats["skipped"] += 1
            return _Outcome(None)
        read = self._make_read(parsed, data, content_type, name, path)
        # One look at the batcher: async_stop sets it to None while workers may still run here
        # (a closed batcher fails the crop with "OCR stopped"; the stopping source drops it).
        batcher = self._batcher
        if self.ocr_field is None or batcher is None:
            return _Outcome(read, name)
        try:
            with ocr.decode_image(data) as image:  # the original picture, decoded once
                crop = ocr.crop_field(image, self.ocr_field)
        except ocr.OcrError as err:
            _LOGGER.warning("%s: OCR of %s failed: %s", self.ctx.name, name, err)
            self.stats["ocr_unreadable"] += 1
            return _Outcome(read, name)
        return _Outcome(read, name, ocr_future=batcher.submit(crop))

    def _make_read(
        self, parsed: ParsedName, data: bytes, content_type: str, name: str, path: str
    ) -> PlateRead:
        """Build the read: original bytes as the FULL picture, time from the name."""
        read = PlateRead(
            plate=parsed.plate,
            source=KIND,
            vendor_id=name,
            images=[
                ReadImage(data=data, content_type=content_type, role=ImageRole.FULL, name=name)
            ],
            extra={"file_name": name, "file_path": path, **parsed.fields},
        )
        if parsed.time is not None:
            read.time = parsed.time
        return read

    # ---- diagnostics

    @callback
    def diagnostics(self) -> dict[str, Any]:
        """Counters and mode; no plates, no picture bytes."""
        return {
            "mode": "polling" if self.polling else "inotify",
            "recursive": self.recursive,
            "ocr": self.ocr_field is not None,
            "tesseract_missing": self._issue_raised,
            "queued": len(self._queue),
            "pending_stable_size": len(self._pending),
            "ocr_engine": self._batcher.engine_in_use if self._batcher else None,
            "ocr_batches": self._batcher.batches if self._batcher else 0,
            "ocr_batched_images": self._batcher.images if self._batcher else 0,
            **self.stats,
        }


def _library_wanted() -> bool:
    """Tell whether to install the library: not loadable yet, and PyPI has a wheel (blocks)."""
    return ocr.load_engine_library() is None and ocr.engine_wheel_available()


def _read(path: str) -> bytes:
    """Read a whole file (worker thread); :class:`BadFile` when empty, too big or unreadable."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise BadFile(f"cannot read ({err.strerror or type(err).__name__})") from err
    if not data:
        raise BadFile("empty file (0 bytes)")
    if len(data) > MAX_FILE_BYTES:
        raise BadFile(f"larger than {MAX_FILE_BYTES} bytes")
    return data


def _sizes(paths: list[str]) -> dict[str, int | None]:
    """Return the current size of each path (None when gone); blocking."""
    result: dict[str, int | None] = {}
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            result[path] = None
            continue
        result[path] = st.st_size
    return result


SOURCE_KIND = register(
    SourceKind(
        kind=KIND,
        factory=FolderSource,
        schema=_schema,
        validate=_validate,
        unique_id_from_config=True,
        image_entities=("picture",),  # the uploaded picture; cameras upload no plate crop
        manufacturer="Generic",
        model="Folder upload (FTP/NAS)",
    )
)
