"""OCR of a camera's text overlay (e.g. Hikvision "Direction:Forward") with pytesseract.

Pure module (no Home Assistant import); every function here blocks (image decoding and a
``tesseract`` subprocess): call it from an executor, never from the event loop.

Hikvision cameras can burn the read into an overlay band at the bottom of the uploaded picture
(PROTOCOLS.md §1.5 "Text overlay options"); a real band reads
``Capture Time:2025-06-02 10:30:45  Plate No.:B4DM3N  Direction:Forward``. The direction is only
there, not in the file name, so we read it back: crop a box, optionally invert, OCR one line,
take the text after the field label, fix known misreads with regex corrections, and keep it only
when it is one of the allowed values (the anpr2mqtt ``ocr.fields`` idea, ANCHORS.md §1).

The crop box is **relative to the image size**: ``(x, y, width, height)`` are fractions 0-1 of
the original picture's width and height, measured from the **top-left** corner (Pillow's
coordinate system). anpr2mqtt uses pixels measured from the bottom, which breaks as soon as the
camera resolution changes; ``x=0.47, y=0.972, width=0.36, height=0.028`` is the same region as
its default (x=850, y=0 from the bottom, w=650, h=30) on the 1805x1077 Hikvision picture.

The box is cut from the decoded original picture (never from a re-encoded or scaled copy).

Tesseract runs as a child process per call. Its OpenMP threads make one call slower on a small
machine, so :func:`ocr_image` makes sure ``OMP_THREAD_LIMIT`` is set (default ``1``) in the
environment the child inherits; run several calls in parallel instead (one per core).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
import io
import os
import queue
import re
import tempfile
import threading

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
        except (re.error, OverflowError) as err:  # fuzz finding: "a{99999999999}" overflows
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
        except (re.error, OverflowError) as err:  # fuzz finding: "a{99999999999}" overflows
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
    try:
        text = str(
            pytesseract.image_to_string(crop, config=tesseract_config(ocr_field), timeout=timeout)
        )
    except pytesseract.TesseractNotFoundError as err:
        raise TesseractMissing(
            f"tesseract not found ({pytesseract.pytesseract.tesseract_cmd})"
        ) from err
    except (pytesseract.TesseractError, RuntimeError, OSError) as err:
        raise OcrError(f"tesseract failed: {err}") from err
    value, raw = ocr_field.parse(text)
    return OcrResult(value=value, raw=raw, text=text.strip())


def ocr_bytes(data: bytes, ocr_field: OcrField, timeout: float = TESSERACT_TIMEOUT) -> OcrResult:
    """Decode the original encoded picture ``data`` and run :func:`ocr_image` on it.

    Raises :class:`OcrError` for a picture that cannot be decoded, :class:`TesseractMissing`
    when tesseract is absent.
    """
    with decode_image(data) as image:
        return ocr_image(image, ocr_field, timeout)


class OcrBatcher:
    """Runs tesseract on crops in batches: one tesseract process reads up to ``max_batch`` crops.

    Starting tesseract costs far more than reading one overlay line (the engine loads its model
    and ambiguity tables on every start: ~130 ms of CPU here, the line itself ~20-40 ms), so a
    burst of uploads is read in batches through tesseract's image-list input (a text file naming
    one image per line; the texts come back separated by form feeds). ``runners`` threads each
    run one tesseract at a time (use one per core); a single crop is read on its own at once.

    :meth:`submit` returns a :class:`concurrent.futures.Future` that resolves to an
    :class:`OcrResult`, or fails with :class:`TesseractMissing` / :class:`OcrError`. Call
    :meth:`close` to stop the runner threads (it waits for them).
    """

    def __init__(
        self,
        ocr_field: OcrField,
        runners: int | None = None,
        max_batch: int = 8,
        timeout: float = TESSERACT_TIMEOUT,
    ) -> None:
        """Prepare the queue; threads start on the first :meth:`submit`."""
        self.field = ocr_field
        self.max_batch = max(1, max_batch)
        self.timeout = timeout
        self._runners = max(1, runners or os.cpu_count() or 1)
        self._queue: queue.SimpleQueue[tuple[Image.Image, Future[OcrResult]] | None] = (
            queue.SimpleQueue()
        )
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False
        self.batches = 0
        self.images = 0

    def submit(self, crop: Image.Image) -> Future[OcrResult]:
        """Queue one crop (from :func:`crop_field`) for OCR; the future resolves when read."""
        fut: Future[OcrResult] = Future()
        with self._lock:
            if self._closed:
                fut.set_exception(OcrError("OCR stopped"))
                return fut
            if not self._threads:
                ensure_thread_limit()
                for index in range(self._runners):
                    thread = threading.Thread(
                        target=self._run, name=f"anpr-ocr-{index}", daemon=True
                    )
                    thread.start()
                    self._threads.append(thread)
            self._queue.put((crop, fut))
        return fut

    def close(self) -> None:
        """Stop the runners (blocking: waits for a running tesseract); pending crops fail.

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

    def _run(self) -> None:
        """Runner thread: take what is queued (up to ``max_batch``) and read it in one go."""
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            batch = [(crop, fut) for crop, fut in batch if fut.set_running_or_notify_cancel()]
            if batch:
                self._read_batch(batch)
            if stop:
                return

    def _read_batch(self, batch: list[tuple[Image.Image, Future[OcrResult]]]) -> None:
        """Run one tesseract over ``batch`` and resolve the futures."""
        self.batches += 1
        self.images += len(batch)
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
            value, raw = self.field.parse(text)
            fut.set_result(OcrResult(value=value, raw=raw, text=text.strip()))

    def _tesseract(self, crops: list[Image.Image]) -> list[str]:
        """Return the text of each crop (one tesseract process for all of them)."""
        config = tesseract_config(self.field)
        try:
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
        except pytesseract.TesseractNotFoundError as err:
            raise TesseractMissing(
                f"tesseract not found ({pytesseract.pytesseract.tesseract_cmd})"
            ) from err
        except (pytesseract.TesseractError, RuntimeError, OSError) as err:
            raise OcrError(f"tesseract failed: {err}") from err
        pages = output.split("\f")
        if len(pages) < len(crops):
            raise OcrError(f"tesseract returned {len(pages)} pages for {len(crops)} images")
        return pages[: len(crops)]
