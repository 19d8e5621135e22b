"""OCR of a camera's text overlay (e.g. Hikvision "Direction:Forward") with pytesseract.

Pure module (no Home Assistant import); every function here blocks (image decoding and a
``tesseract`` subprocess): call it from an executor, never from the event loop.

Hikvision cameras can burn the read into an overlay band at the bottom of the uploaded picture
(``docs/protocols.md``, "OCR of the folder picture overlay"); a real band reads
``Capture Time:2025-06-02 10:30:45  Plate No.:B4DM3N  Direction:Forward``. The direction is only
there, not in the file name, so we read it back: crop a box, optionally invert, OCR one line,
take the text after the field label, fix known misreads with regex corrections, and keep it only
when it is one of the allowed values (the ``ocr.fields`` idea of rhizomatics/anpr2mqtt).

The crop box is **relative to the image size**: ``(x, y, width, height)`` are fractions 0-1 of
the original picture's width and height, measured from the **top-left** corner (Pillow's
coordinate system). anpr2mqtt uses pixels measured from the bottom, which breaks as soon as the
camera resolution changes; ``x=0.47, y=0.972, width=0.36, height=0.028`` is the same region as
its default (x=850, y=0 from the bottom, w=650, h=30) on the 1805x1077 Hikvision picture.

The box is cut from the decoded original picture (never from a re-encoded or scaled copy).

Two engines read the crop (:class:`OcrBatcher`): the tesseract library kept loaded in this
process (tesserocr, optional: ~30 ms a line) or the ``tesseract`` command (pytesseract: a child
process per batch, ~200 ms). The command's OpenMP threads make one call slower on a small machine,
so :func:`ocr_image` makes sure ``OMP_THREAD_LIMIT`` is set (default ``1``) in the environment the
child inherits; several reads run in parallel instead (one runner per core).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
import importlib
import io
import logging
import os
import queue
import re
import subprocess
import tempfile
import threading
from types import ModuleType

from packaging.tags import sys_tags
from PIL import Image, ImageOps, UnidentifiedImageError
import pytesseract

from .models import ProtocolError

#: Largest picture we decode (bytes of the encoded file).
MAX_IMAGE_BYTES = 20 * 1024 * 1024
#: Largest picture we decode (pixels), against decompression bombs.
MAX_IMAGE_PIXELS = 40_000_000
#: Seconds one tesseract call may take before it is killed.
TESSERACT_TIMEOUT = 10.0


class OcrError(ProtocolError):
    """The picture cannot be decoded or cropped, or tesseract failed on it."""


class TesseractMissing(OcrError):
    """The ``tesseract`` binary is not installed (or not where pytesseract looks for it)."""


@dataclass(frozen=True, slots=True)
class CropBox:
    """A box relative to the picture: fractions 0-1 of its width/height, top-left origin.

    ``x``/``y`` are the box's left/top edge, ``width``/``height`` its size. Raises
    :class:`ValueError` when a value is outside 0-1, the size is zero, or the box leaves the
    picture (``x + width > 1`` or ``y + height > 1``, with a 0.001 tolerance for rounding).
    """

    x: float
    y: float
    width: float
    height: float

    def __post_init__(self) -> None:
        """Check the box lies inside the picture."""
        for name in ("x", "y", "width", "height"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise ValueError(f"box {name} must be between 0 and 1")
        if self.width <= 0 or self.height <= 0:
            raise ValueError("box width and height must be above 0")
        if self.x + self.width > 1.001 or self.y + self.height > 1.001:
            raise ValueError("box must lie inside the picture")

    def pixels(self, image_width: int, image_height: int) -> tuple[int, int, int, int]:
        """Return the Pillow crop box ``(left, top, right, bottom)`` in pixels, at least 1x1."""
        left = min(round(self.x * image_width), image_width - 1)
        top = min(round(self.y * image_height), image_height - 1)
        right = max(min(round((self.x + self.width) * image_width), image_width), left + 1)
        bottom = max(min(round((self.y + self.height) * image_height), image_height), top + 1)
        return left, top, right, bottom


#: The Hikvision overlay "Direction:…" on the 1805x1077 DS-2CD4A25FWD-IZS picture.
DEFAULT_BOX = CropBox(x=0.47, y=0.972, width=0.36, height=0.028)
#: anpr2mqtt's default corrections: (regex, value), first match wins, case-insensitive.
DEFAULT_CORRECTIONS: tuple[tuple[str, str], ...] = (
    (r"Fo.*rd", "Forward"),
    (r"Re.*rse|Bac.*rd", "Reverse"),
)
DEFAULT_VALUES: tuple[str, ...] = ("Forward", "Reverse")


@dataclass(frozen=True, slots=True)
class OcrField:
    """How to read one overlay field.

    - ``box``: where the field is (:class:`CropBox`, relative, top-left origin).
    - ``label``: the text before the value (``Direction`` for ``Direction:Forward``); "" takes
      the text after the first ``:`` (or all of it).
    - ``invert``: invert the crop's colours before OCR (light text on dark band).
    - ``corrections``: ``(regex, value)`` pairs tried in order on the raw value
      (case-insensitive ``re.search``); the first match replaces it.
    - ``values``: allowed results (matched case-insensitively, returned in this spelling); empty
      allows any value.
    - ``psm``: tesseract page segmentation mode (7 = one text line).
    """

    box: CropBox = DEFAULT_BOX
    label: str = "Direction"
    invert: bool = False
    corrections: tuple[tuple[str, str], ...] = DEFAULT_CORRECTIONS
    values: tuple[str, ...] = DEFAULT_VALUES
    psm: int = 7
    _compiled: tuple[tuple[re.Pattern[str], str], ...] = field(
        init=False, repr=False, compare=False, default=()
    )

    def __post_init__(self) -> None:
        """Compile the corrections; raises :class:`ValueError` for a bad regex."""
        try:
            compiled = tuple(
                (re.compile(pattern, re.IGNORECASE), value) for pattern, value in self.corrections
            )
        except (re.error, OverflowError) as err:  # a huge repeat ("a{99999999999}") overflows
            raise ValueError(f"correction: invalid regular expression: {err}") from err
        object.__setattr__(self, "_compiled", compiled)

    def parse(self, text: str) -> tuple[str | None, str]:
        """Turn OCR ``text`` into ``(value, raw)``.

        ``raw`` is the word found after the label (or the first ``:``), before corrections;
        ``value`` is the corrected, allowed value, or None when nothing allowed was read.
        """
        raw = _field_text(text, self.label)
        value = raw
        for pattern, replacement in self._compiled:
            if pattern.search(value):
                value = replacement
                break
        if not self.values:
            return (value or None), raw
        for allowed in self.values:
            if allowed.casefold() == value.casefold():
                return allowed, raw
        return None, raw


def _field_text(text: str, label: str) -> str:
    """Return the first word after ``label:`` in ``text`` (see :meth:`OcrField.parse`)."""
    text = " ".join(text.split())
    if label:
        match = re.search(re.escape(label) + r"\s*[:;.]?\s*(\S+)", text, re.IGNORECASE)
        if match:
            return match.group(1).strip(":;.,|")
    if ":" in text:
        text = text.rsplit(":", 1)[1] if label else text.split(":", 1)[1]
    words = text.split()
    return words[0].strip(":;.,|") if words else ""


def parse_corrections(lines: str | Iterable[str]) -> tuple[tuple[str, str], ...]:
    """Parse corrections written one per line as ``Value=regex`` (e.g. ``Forward=Fo.*rd``).

    Blank lines are skipped. Raises :class:`ValueError` for a line without ``=``, an empty value
    or regex, or an invalid regex.
    """
    if isinstance(lines, str):
        lines = lines.splitlines()
    result: list[tuple[str, str]] = []
    for raw_line in lines:
        line = raw_line.strip()
        if not line:
            continue
        value, sep, pattern = line.partition("=")
        value, pattern = value.strip(), pattern.strip()
        if not sep or not value or not pattern:
            raise ValueError(f"correction {line!r} is not Value=regex")
        try:
            re.compile(pattern)
        except (re.error, OverflowError) as err:  # a huge repeat ("a{99999999999}") overflows
            raise ValueError(f"correction {line!r}: invalid regular expression: {err}") from err
        result.append((pattern, value))
    return tuple(result)


def format_corrections(corrections: Sequence[tuple[str, str]]) -> str:
    """Write corrections back as text (the inverse of :func:`parse_corrections`)."""
    return "\n".join(f"{value}={pattern}" for pattern, value in corrections)


def decode_image(data: bytes) -> Image.Image:
    """Decode an encoded picture fully (JPEG/PNG/...) and return it.

    Raises :class:`OcrError` when ``data`` is larger than :data:`MAX_IMAGE_BYTES`, is not a
    picture, is truncated or has more than :data:`MAX_IMAGE_PIXELS` pixels.
    """
    if len(data) > MAX_IMAGE_BYTES:
        raise OcrError(f"picture larger than {MAX_IMAGE_BYTES} bytes")
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_IMAGE_PIXELS:
            raise OcrError(f"picture has more than {MAX_IMAGE_PIXELS} pixels")
        image.load()
    except OcrError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise OcrError(f"not a readable picture: {err}") from err
    except Image.DecompressionBombError as err:  # pragma: no cover - caught by the check above
        raise OcrError(str(err)) from err
    return image


#: LSTM engine only: the default engine mode also loads the legacy engine's tables, which costs
#: about a quarter of every call on this kind of machine and adds nothing for one overlay line.
TESSERACT_ENGINE = "--oem 1"


def tesseract_config(ocr_field: OcrField) -> str:
    """Return the tesseract command-line options for ``ocr_field`` (engine and page mode)."""
    return f"{TESSERACT_ENGINE} --psm {ocr_field.psm}"


def ensure_thread_limit(limit: str = "1") -> None:
    """Set ``OMP_THREAD_LIMIT`` for tesseract child processes unless the user set it already.

    pytesseract starts ``tesseract`` with this process's environment, so the variable is set in
    ``os.environ`` (only when absent).
    """
    os.environ.setdefault("OMP_THREAD_LIMIT", limit)


def tesseract_version() -> str:
    """Return the installed tesseract version (e.g. ``5.3.0``).

    Raises :class:`TesseractMissing` when the binary cannot be run.
    """
    try:
        return str(pytesseract.get_tesseract_version())
    except (pytesseract.TesseractNotFoundError, OSError) as err:
        raise TesseractMissing(
            f"tesseract not found ({pytesseract.pytesseract.tesseract_cmd})"
        ) from err


@contextmanager
def _tesseract_errors() -> Iterator[None]:
    """Turn a tesseract failure into :class:`TesseractMissing` (not installed) or :class:`OcrError`.

    ``TesseractNotFoundError`` is an ``OSError``, so it is caught first.
    """
    try:
        yield
    except pytesseract.TesseractNotFoundError as err:
        raise TesseractMissing(
            f"tesseract not found ({pytesseract.pytesseract.tesseract_cmd})"
        ) from err
    except (pytesseract.TesseractError, RuntimeError, OSError) as err:
        raise OcrError(f"tesseract failed: {err}") from err


@dataclass(frozen=True, slots=True)
class OcrResult:
    """One field read: ``value`` (allowed value or None), ``raw`` word and the full ``text``."""

    value: str | None
    raw: str
    text: str


def crop_field(image: Image.Image, ocr_field: OcrField) -> Image.Image:
    """Cut ``ocr_field.box`` out of the decoded ``image``: greyscale, inverted if asked."""
    crop = image.crop(ocr_field.box.pixels(image.width, image.height)).convert("L")
    return ImageOps.invert(crop) if ocr_field.invert else crop


def ocr_image(
    image: Image.Image, ocr_field: OcrField, timeout: float = TESSERACT_TIMEOUT
) -> OcrResult:
    """Crop ``ocr_field.box`` out of the decoded ``image``, OCR it and parse the field.

    Raises :class:`TesseractMissing` when tesseract is not installed and :class:`OcrError` when
    tesseract fails or times out.
    """
    ensure_thread_limit()
    crop = crop_field(image, ocr_field)
    with _tesseract_errors():
        text = str(
            pytesseract.image_to_string(crop, config=tesseract_config(ocr_field), timeout=timeout)
        )
    value, raw = ocr_field.parse(text)
    return OcrResult(value=value, raw=raw, text=text.strip())


def ocr_bytes(data: bytes, ocr_field: OcrField, timeout: float = TESSERACT_TIMEOUT) -> OcrResult:
    """Decode the original encoded picture ``data`` and run :func:`ocr_image` on it.

    Raises :class:`OcrError` for a picture that cannot be decoded, :class:`TesseractMissing`
    when tesseract is absent.
    """
    with decode_image(data) as image:
        return ocr_image(image, ocr_field, timeout)


# ---- engines: the tesseract command (pytesseract) or the tesseract library kept loaded (tesserocr)

#: The optional in-process engine: tesserocr (PyPI, MIT) binds the tesseract library (its wheels
#: bundle libtesseract 5.5), so a runner loads the model once and reads an overlay line in
#: ~30 ms instead of starting a ``tesseract`` process per batch (~200 ms). It is not a manifest
#: requirement: it has no wheel for every platform Home Assistant runs on, and a failed build must
#: not keep the integration from loading. The folder camera installs it where a wheel exists
#: (:func:`engine_wheel_available`); without it OCR runs the ``tesseract`` command.
TESSEROCR_REQUIREMENT = "tesserocr==2.13.0"
#: Platform tags of the published tesserocr 2.13.0 wheels (PyPI file list, CPython 3.10-3.15).
TESSEROCR_WHEEL_PLATFORMS = (
    "manylinux_2_27_x86_64",
    "manylinux_2_27_aarch64",
    "musllinux_1_2_x86_64",
    "macosx_15_0_arm64",
    "macosx_15_0_x86_64",
    "win_amd64",
)

#: Pick the library when it loads, else the command.
ENGINE_AUTO = "auto"
#: Always run the ``tesseract`` command (pytesseract), batched.
ENGINE_COMMAND = "command"
#: The tesseract library (tesserocr), one loaded engine per runner.
ENGINE_LIBRARY = "library"

#: Language data read by both engines (tesseract's default).
LANGUAGE = "eng"
#: Where distributions put tesseract's language data (Debian/Ubuntu 5 and 4, Alpine/Fedora/Arch,
#: a source build, Homebrew), tried after ``TESSDATA_PREFIX`` and what ``tesseract`` reports.
TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)

_LOGGER = logging.getLogger(__name__)
_QUOTED = re.compile(r'"([^"]+)"')


def engine_wheel_available() -> bool:
    """Return True when PyPI has a tesserocr wheel for this interpreter and platform.

    Compares this interpreter's supported tags (``packaging.tags.sys_tags``) with
    :data:`TESSEROCR_WHEEL_PLATFORMS`; e.g. False on Alpine aarch64 (Home Assistant OS on a
    Raspberry Pi), where installing would mean building libtesseract from source.
    """
    wheels = set(TESSEROCR_WHEEL_PLATFORMS)
    return any(tag.interpreter.startswith("cp3") and tag.platform in wheels for tag in sys_tags())


def load_engine_library() -> ModuleType | None:
    """Import tesserocr, or return None when it is not installed (or cannot load its library).

    Import caches are invalidated first, so a package installed while Home Assistant runs is
    found.
    """
    importlib.invalidate_caches()
    try:
        return importlib.import_module("tesserocr")
    except ImportError:
        return None


def tessdata_dir(extra_dirs: Sequence[str] = (), language: str = LANGUAGE) -> str:
    """Return the folder holding ``<language>.traineddata``, with a trailing ``/``.

    Tried in order: ``TESSDATA_PREFIX``, the folders in ``extra_dirs`` (e.g. Home Assistant's
    ``/config/tessdata``), the folder the installed ``tesseract`` names (first line of
    ``tesseract --list-langs``: ``List of available languages in "/usr/share/tesseract-ocr/5/
    tessdata/" (2):``), then :data:`TESSDATA_DIRS`. Blocks (runs ``tesseract`` once). Raises
    :class:`TesseractMissing` when no folder holds the language data.
    """
    candidates: list[str] = []
    if prefix := os.environ.get("TESSDATA_PREFIX"):
        candidates.append(prefix)
    candidates.extend(extra_dirs)
    try:
        listing = subprocess.run(
            [pytesseract.pytesseract.tesseract_cmd, "--list-langs"],
            capture_output=True,
            text=True,
            timeout=TESSERACT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        pass  # no tesseract command: the library may still find data in a folder below
    else:
        first = (listing.stdout or listing.stderr).partition("\n")[0]
        if match := _QUOTED.search(first):
            candidates.append(match.group(1))
    candidates.extend(TESSDATA_DIRS)
    for folder in candidates:
        if os.path.isfile(os.path.join(folder, f"{language}.traineddata")):
            return os.path.join(folder, "")
    raise TesseractMissing(f"no {language}.traineddata found (looked in {', '.join(candidates)})")


def check_available(tessdata_dirs: Sequence[str] = ()) -> str:
    """Return the engine OCR can use (:data:`ENGINE_COMMAND` or :data:`ENGINE_LIBRARY`).

    The ``tesseract`` command counts when it runs; else the library when it is installed and
    finds its language data (:func:`tessdata_dir` with ``tessdata_dirs``). Blocks. Raises
    :class:`TesseractMissing` when neither can read.
    """
    try:
        tesseract_version()
    except TesseractMissing:
        if load_engine_library() is None:
            raise
        tessdata_dir(tessdata_dirs)
        return ENGINE_LIBRARY
    return ENGINE_COMMAND


class LibraryEngine:
    """One tesseract engine loaded in this process (tesserocr ``PyTessBaseAPI``).

    Loading takes ~130 ms of CPU and ~12 MB; a read of one overlay line then ~30 ms. One engine
    serves one thread at a time (the library releases the GIL while it reads, so one engine per
    runner thread reads in parallel). Raises :class:`OcrError` when the engine cannot load (bad
    language data, unknown page mode).
    """

    def __init__(self, library: ModuleType, path: str, psm: int) -> None:
        """Load the engine: LSTM only (like ``--oem 1``), page mode ``psm``."""
        try:
            self._api = library.PyTessBaseAPI(
                path=path, lang=LANGUAGE, oem=library.OEM.LSTM_ONLY, psm=psm
            )
        except (RuntimeError, ValueError, TypeError) as err:
            raise OcrError(f"tesseract library failed to load: {err}") from err

    def read(self, crop: Image.Image, timeout: float) -> str:
        """Return the text in ``crop``; :class:`OcrError` when reading fails or times out."""
        try:
            self._api.SetImage(crop)
            if not self._api.Recognize(timeout=max(1, round(timeout * 1000))):
                raise OcrError("tesseract failed: the read timed out or failed")
            return str(self._api.GetUTF8Text())
        except (RuntimeError, ValueError, TypeError, AttributeError, OSError) as err:
            raise OcrError(f"tesseract failed: {err!r}") from err

    def close(self) -> None:
        """Free the engine."""
        self._api.End()


class OcrBatcher:
    """Reads crops on ``runners`` threads (one per core) with the best engine available.

    Engines (``engine``): :data:`ENGINE_LIBRARY` keeps one tesseract loaded per runner (tesserocr,
    ~30 ms a line); :data:`ENGINE_COMMAND` runs the ``tesseract`` command, batched: starting it
    costs far more than reading one line (the model loads on every start: ~130 ms of CPU here,
    the line ~20-40 ms), so crops queued together are read by one process through tesseract's
    image-list input (a text file naming one image per line; the texts come back separated by
    form feeds), up to ``max_batch`` at once. :data:`ENGINE_AUTO` (default) takes the library
    when it loads (installed, language data found: :func:`tessdata_dir` with
    ``tessdata_dirs``) and the command otherwise; :attr:`engine_in_use` tells which.

    :meth:`start` starts the runners, which load their engine at once (so the first read does
    not pay for it); :meth:`submit` starts them too if needed and returns a
    :class:`concurrent.futures.Future` that resolves to an :class:`OcrResult`, or fails with
    :class:`TesseractMissing` / :class:`OcrError`. :meth:`reload_engine` makes runners try the
    library again (after it was installed). :meth:`close` stops the runners (it waits for them).
    """

    def __init__(
        self,
        ocr_field: OcrField,
        runners: int | None = None,
        max_batch: int = 8,
        timeout: float = TESSERACT_TIMEOUT,
        engine: str = ENGINE_AUTO,
        tessdata_dirs: Sequence[str] = (),
    ) -> None:
        """Prepare the queue; threads start on :meth:`start` or the first :meth:`submit`."""
        self.field = ocr_field
        self.max_batch = max(1, max_batch)
        self.timeout = timeout
        self.engine = engine
        self.tessdata_dirs = tuple(tessdata_dirs)
        #: The engine the runners use (:data:`ENGINE_LIBRARY` or :data:`ENGINE_COMMAND`), known
        #: once a runner has started.
        self.engine_in_use: str | None = None
        self._runners = max(1, runners or os.cpu_count() or 1)
        self._queue: queue.SimpleQueue[tuple[Image.Image, Future[OcrResult]] | None] = (
            queue.SimpleQueue()
        )
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False
        self._generation = 0
        self._warned = False
        self._engine_lock = threading.Lock()
        self._tessdata: str | None = None
        self.batches = 0
        self.images = 0

    def start(self) -> None:
        """Start the runner threads (non-blocking; each loads its engine in its own thread)."""
        with self._lock:
            self._start_locked()

    def _start_locked(self) -> None:
        if self._threads or self._closed:
            return
        ensure_thread_limit()
        for index in range(self._runners):
            thread = threading.Thread(target=self._run, name=f"anpr-ocr-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def reload_engine(self) -> None:
        """Make runners without the library try to load it again before their next crop."""
        with self._lock:
            self._generation += 1
        with self._engine_lock:
            self._tessdata = None  # look for the language data again too

    def submit(self, crop: Image.Image) -> Future[OcrResult]:
        """Queue one crop (from :func:`crop_field`) for OCR; the future resolves when read."""
        fut: Future[OcrResult] = Future()
        with self._lock:
            if self._closed:
                fut.set_exception(OcrError("OCR stopped"))
                return fut
            self._start_locked()
            self._queue.put((crop, fut))
        return fut

    def close(self) -> None:
        """Stop the runners (blocking: waits for a running read); pending crops fail.

        Crops still queued fail at once with :class:`OcrError` ("OCR stopped") instead of being
        read first, so stopping never waits for a backlog.
        """
        with self._lock:
            self._closed = True
            threads, self._threads = self._threads, []
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not None and item[1].set_running_or_notify_cancel():
                    item[1].set_exception(OcrError("OCR stopped"))
            for _ in threads:
                self._queue.put(None)
        for thread in threads:
            thread.join(self.timeout * self.max_batch + 5)

    def _open_engine(self) -> LibraryEngine | None:
        """Load the library engine for a runner, or None to use the command."""
        if self.engine == ENGINE_COMMAND:
            self.engine_in_use = ENGINE_COMMAND
            return None
        library = load_engine_library()
        engine: LibraryEngine | None = None
        if library is not None:
            try:
                engine = LibraryEngine(library, self._tessdata_path(), self.field.psm)
            except OcrError as err:  # TesseractMissing (no language data) is an OcrError too
                with self._lock:
                    warn, self._warned = not self._warned, True
                if warn:
                    _LOGGER.warning("OCR uses the tesseract command (library: %s)", err)
        self.engine_in_use = ENGINE_COMMAND if engine is None else ENGINE_LIBRARY
        return engine

    def _tessdata_path(self) -> str:
        """Find the language data once for all runners (:func:`tessdata_dir` runs tesseract)."""
        with self._engine_lock:
            if self._tessdata is None:
                self._tessdata = tessdata_dir(self.tessdata_dirs)
            return self._tessdata

    def _run(self) -> None:
        """Runner thread: load an engine, then take what is queued and read it."""
        generation = self._generation
        engine = self._open_engine()
        try:
            while True:
                item = self._queue.get()
                if item is None:
                    return
                batch = [item]
                stop = False
                # The library reads crops one by one anyway: batching only helps the command.
                limit = 1 if engine is not None else self.max_batch
                while len(batch) < limit:
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        stop = True
                        break
                    batch.append(more)
                if engine is None and generation != self._generation:
                    generation = self._generation
                    engine = self._open_engine()
                batch = [(crop, fut) for crop, fut in batch if fut.set_running_or_notify_cancel()]
                if batch:
                    self._read_batch(batch, engine)
                if stop:
                    return
        finally:
            if engine is not None:
                engine.close()

    def _read_batch(
        self, batch: list[tuple[Image.Image, Future[OcrResult]]], engine: LibraryEngine | None
    ) -> None:
        """Read ``batch`` (the library: crop by crop; the command: one process) and resolve it."""
        self.batches += 1
        self.images += len(batch)
        if engine is not None:
            for crop, fut in batch:
                try:
                    text = engine.read(crop, self.timeout)
                except OcrError as err:
                    fut.set_exception(err)
                else:
                    self._resolve(fut, text)
            return
        try:
            texts = self._tesseract([crop for crop, _ in batch])
        except OcrError as err:
            for _, fut in batch:
                fut.set_exception(err)
            return
        except Exception as err:
            for _, fut in batch:
                fut.set_exception(OcrError(f"tesseract failed: {err!r}"))
            return
        for (_, fut), text in zip(batch, texts, strict=True):
            self._resolve(fut, text)

    def _resolve(self, fut: Future[OcrResult], text: str) -> None:
        value, raw = self.field.parse(text)
        fut.set_result(OcrResult(value=value, raw=raw, text=text.strip()))

    def _tesseract(self, crops: list[Image.Image]) -> list[str]:
        """Return the text of each crop (one tesseract process for all of them)."""
        config = tesseract_config(self.field)
        with _tesseract_errors():
            if len(crops) == 1:
                return [
                    str(pytesseract.image_to_string(crops[0], config=config, timeout=self.timeout))
                ]
            with tempfile.TemporaryDirectory(prefix="anpr-ocr-") as tmp:
                names = []
                for index, crop in enumerate(crops):
                    name = os.path.join(tmp, f"{index}.png")
                    crop.save(name, "PNG")
                    names.append(name)
                listing = os.path.join(tmp, "images.txt")
                with open(listing, "w", encoding="utf-8") as handle:
                    handle.write("\n".join(names) + "\n")
                output = str(
                    pytesseract.image_to_string(
                        listing, config=config, timeout=self.timeout * len(crops)
                    )
                )
        pages = output.split("\f")
        if len(pages) < len(crops):
            raise OcrError(f"tesseract returned {len(pages)} pages for {len(crops)} images")
        return pages[: len(crops)]
