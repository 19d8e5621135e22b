"""Overlay OCR with real tesseract (PROTOCOLS.md §1.5 "Text overlay options")."""

from __future__ import annotations

from concurrent.futures import Future
import io
import os
from pathlib import Path
import time

from PIL import Image, ImageDraw, ImageFont
import pytesseract
import pytest

from custom_components.anpr.protocols import ocr
from custom_components.anpr.protocols.models import ProtocolError

REAL = Path(__file__).parent / "fixtures" / "20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg"


def band_picture(text: str, size: tuple[int, int] = (1805, 1077), fmt: str = "JPEG") -> bytes:
    """A grey scene with a Hikvision-style black band at the bottom holding ``text``."""
    width, height = size
    image = Image.new("RGB", size, (90, 120, 80))
    draw = ImageDraw.Draw(image)
    band = round(height * 0.028)
    draw.rectangle((0, height - band, width, height), fill=(0, 0, 0))
    font = ImageFont.load_default(size=max(10, round(band * 0.8)))
    draw.text((round(width * 0.505), height - band + 2), text, fill=(255, 255, 255), font=font)
    out = io.BytesIO()
    image.save(out, fmt, quality=90)
    return out.getvalue()


def test_real_hikvision_picture_reads_forward() -> None:
    result = ocr.ocr_bytes(REAL.read_bytes(), ocr.OcrField())
    assert result.value == "Forward"
    assert "Direction" in result.text


def test_real_picture_inverted_also_reads_forward() -> None:
    result = ocr.ocr_bytes(REAL.read_bytes(), ocr.OcrField(invert=True))
    assert result.value == "Forward"


def test_drawn_reverse_band() -> None:
    result = ocr.ocr_bytes(band_picture("Direction:Reverse"), ocr.OcrField())
    assert result.value == "Reverse"


def test_box_is_relative_to_the_picture_size() -> None:
    """The same relative box finds the field at another resolution (anpr2mqtt's pixels don't)."""
    result = ocr.ocr_bytes(band_picture("Direction:Reverse", size=(3610, 2154)), ocr.OcrField())
    assert result.value == "Reverse"


def test_png_pictures() -> None:
    result = ocr.ocr_bytes(band_picture("Direction:Forward", fmt="PNG"), ocr.OcrField())
    assert result.value == "Forward"


def test_misread_is_corrected() -> None:
    """Tesseract often reads the band's "Forward" as "Foruward"; the correction fixes it."""
    assert ocr.OcrField().parse("~ Direction:Foruward |") == ("Forward", "Foruward")
    assert ocr.OcrField().parse("Direction:Bacward") == ("Reverse", "Bacward")
    assert ocr.OcrField().parse("Directlon: Rev3rse") == ("Reverse", "Rev3rse")
    # without the corrections the misread is not an allowed value
    assert ocr.OcrField(corrections=()).parse("Direction:Foruward") == (None, "Foruward")


def test_drawn_misspelling_is_corrected_end_to_end() -> None:
    result = ocr.ocr_bytes(band_picture("Direction:Foorward"), ocr.OcrField())
    assert result.raw.casefold().startswith("fo")
    assert result.raw != "Forward"
    assert result.value == "Forward"


def test_field_parsing() -> None:
    field = ocr.OcrField()
    assert field.parse("Capture Time:2025-06-02 10:30:45 Plate No.:B4DM3N Direction:Forward") == (
        "Forward",
        "Forward",
    )
    assert field.parse("direction : reverse") == ("Reverse", "reverse")
    assert field.parse("Direction:Sideways") == (None, "Sideways")
    assert field.parse("") == (None, "")
    # no label: the text after the first colon (anpr2mqtt's rule)
    assert ocr.OcrField(label="").parse("Dir:Forward") == ("Forward", "Forward")
    assert ocr.OcrField(label="").parse("Forward") == ("Forward", "Forward")
    # label missing from the text: the text after the last colon
    assert field.parse("Plate No.:AB12 Dlrectlon:Reverse") == ("Reverse", "Reverse")
    # any value allowed when values is empty
    assert ocr.OcrField(label="Plate No.", values=(), corrections=()).parse(
        "Plate No.:B4DM3N Direction:Forward"
    ) == ("B4DM3N", "B4DM3N")


def test_corrections_text_round_trip() -> None:
    text = ocr.format_corrections(ocr.DEFAULT_CORRECTIONS)
    assert text == "Forward=Fo.*rd\nReverse=Re.*rse|Bac.*rd"
    assert ocr.parse_corrections(text + "\n\n") == ocr.DEFAULT_CORRECTIONS
    for bad in ("Forward", "=Fo.*rd", "Forward=", "Forward=Fo(rd"):
        with pytest.raises(ValueError):
            ocr.parse_corrections(bad)


@pytest.mark.parametrize(
    "box",
    [(-0.1, 0, 0.5, 0.5), (0, 0, 0, 0.5), (0.6, 0, 0.5, 0.1), (0, 0.9, 0.1, 0.2), (0, 0, 1.5, 1)],
)
def test_bad_boxes(box: tuple[float, float, float, float]) -> None:
    with pytest.raises(ValueError):
        ocr.CropBox(*box)


def test_box_pixels() -> None:
    assert ocr.DEFAULT_BOX.pixels(1805, 1077) == (848, 1047, 1498, 1077)
    assert ocr.CropBox(0.999, 0.999, 0.001, 0.001).pixels(10, 10) == (9, 9, 10, 10)


@pytest.mark.parametrize(
    "data",
    [b"", b"RUBBISH!", REAL.read_bytes()[:70000], b"\xff\xd8\xff\xe0" + b"\0" * 100],
)
def test_undecodable_pictures(data: bytes) -> None:
    with pytest.raises(ocr.OcrError):
        ocr.ocr_bytes(data, ocr.OcrField())
    assert issubclass(ocr.OcrError, ProtocolError)


def test_size_caps() -> None:
    with pytest.raises(ocr.OcrError, match="larger than"):
        ocr.decode_image(b"\0" * (ocr.MAX_IMAGE_BYTES + 1))
    big = io.BytesIO()
    Image.new("L", (8000, 6000)).save(big, "PNG")
    with pytest.raises(ocr.OcrError, match="pixels"):
        ocr.decode_image(big.getvalue())


def test_tesseract_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    with pytest.raises(ocr.TesseractMissing):
        ocr.ocr_bytes(REAL.read_bytes(), ocr.OcrField())
    with pytest.raises(ocr.TesseractMissing):
        ocr.tesseract_version()


def test_tesseract_version() -> None:
    assert ocr.tesseract_version()[0].isdigit()


def test_thread_limit_is_set_for_the_child(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    ocr.ocr_bytes(REAL.read_bytes(), ocr.OcrField())
    assert os.environ["OMP_THREAD_LIMIT"] == "1"
    monkeypatch.setenv("OMP_THREAD_LIMIT", "2")
    ocr.ensure_thread_limit()
    assert os.environ["OMP_THREAD_LIMIT"] == "2"  # a user's own setting is kept


def test_one_call_is_fast_enough() -> None:
    """A loose guard (shared CI machines): one OCR call of the real band takes well under 2 s."""
    data = REAL.read_bytes()
    start = time.perf_counter()
    ocr.ocr_bytes(data, ocr.OcrField())
    assert time.perf_counter() - start < 2.0


def test_batcher_reads_a_burst_in_order() -> None:
    """Crops queued together are read by one tesseract; every result goes to its own crop."""
    words = ["Forward", "Reverse", "Reverse", "Forward", "Reverse", "Forward", "Forward", "Reverse"]
    field = ocr.OcrField()
    crops = []
    for word in words:
        with ocr.decode_image(band_picture(f"Direction:{word}")) as image:
            crops.append(ocr.crop_field(image, field))
    batcher = ocr.OcrBatcher(field, runners=1, max_batch=8)
    try:
        # the first crop starts a tesseract on its own; the others queue up and go together
        futures = [batcher.submit(crop) for crop in crops]
        results = [f.result(timeout=60) for f in futures]
    finally:
        batcher.close()
    assert [r.value for r in results] == words
    assert batcher.images == 8
    assert batcher.batches < 8


def test_batcher_tesseract_missing_and_close(monkeypatch: pytest.MonkeyPatch) -> None:
    field = ocr.OcrField()
    with ocr.decode_image(REAL.read_bytes()) as image:
        crop = ocr.crop_field(image, field)
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    batcher = ocr.OcrBatcher(field, runners=2)
    futures = [batcher.submit(crop.copy()) for _ in range(3)]
    for fut in futures:
        with pytest.raises(ocr.TesseractMissing):
            fut.result(timeout=30)
    batcher.close()
    with pytest.raises(ocr.OcrError, match="stopped"):
        batcher.submit(crop).result(timeout=1)


@pytest.mark.parametrize("pattern", ["Fo(rd", "a{99999999999}"])
def test_field_with_a_bad_correction_is_refused(pattern: str) -> None:
    with pytest.raises(ValueError, match="invalid regular expression"):
        ocr.OcrField(corrections=((pattern, "Forward"),))


def test_corrections_from_lines() -> None:
    """Corrections can come as a list of lines (e.g. a YAML list) as well as one text."""
    assert ocr.parse_corrections(["Forward=Fo.*rd", "", "  Reverse = Re.*rse "]) == (
        ("Fo.*rd", "Forward"),
        ("Re.*rse", "Reverse"),
    )


def test_tesseract_timeout_and_failure_are_ocr_errors() -> None:
    """A hung tesseract is killed after the timeout; a tesseract error is an OcrError."""
    data = REAL.read_bytes()
    with pytest.raises(ocr.OcrError, match="tesseract failed"):
        ocr.ocr_bytes(data, ocr.OcrField(), timeout=0.000001)
    with pytest.raises(ocr.OcrError, match="tesseract failed"):
        ocr.ocr_bytes(data, ocr.OcrField(psm=99))  # tesseract refuses the page mode


def _crop(text: str = "Direction:Forward") -> Image.Image:
    field = ocr.OcrField()
    with ocr.decode_image(band_picture(text)) as image:
        return ocr.crop_field(image, field)


def test_batcher_failures_fail_their_own_crops_and_the_next_crop_is_read() -> None:
    """Timeouts and bad crops fail their futures; the runner survives and reads the next crop."""
    crop = _crop()
    slow = ocr.OcrBatcher(ocr.OcrField(), runners=1, timeout=0.000001)
    try:
        single = slow.submit(crop)
        with pytest.raises(ocr.OcrError, match="tesseract failed"):
            single.result(timeout=30)
        batch = [slow.submit(crop.copy()) for _ in range(3)]
        for fut in batch:
            with pytest.raises(ocr.OcrError, match="tesseract failed"):
                fut.result(timeout=30)
    finally:
        slow.close()

    batcher = ocr.OcrBatcher(ocr.OcrField(), runners=1)
    try:
        closed = crop.copy()
        closed.close()  # not a usable picture any more
        bad = batcher.submit(closed)
        with pytest.raises(ocr.OcrError, match="tesseract failed"):
            bad.result(timeout=30)
        assert batcher.submit(crop).result(timeout=30).value == "Forward"
    finally:
        batcher.close()


def _wait_running(fut: Future[ocr.OcrResult]) -> None:
    deadline = time.monotonic() + 10
    while not fut.running() and time.monotonic() < deadline:
        time.sleep(0.001)
    assert fut.running() or fut.done()


def test_batcher_skips_cancelled_crops_and_close_fails_the_backlog() -> None:
    """A caller may cancel a queued crop; close() does not wait for the backlog to be read."""
    crops = [_crop("Direction:Reverse") for _ in range(8)]
    batcher = ocr.OcrBatcher(ocr.OcrField(), runners=1, max_batch=2)
    first = batcher.submit(crops[0])  # starts a tesseract at once
    _wait_running(first)
    cancelled = [batcher.submit(c) for c in crops[1:3]]
    assert all(f.cancel() for f in cancelled)
    after = batcher.submit(crops[3])
    assert first.result(timeout=30).value == "Reverse"
    assert after.result(timeout=30).value == "Reverse"
    assert all(f.cancelled() for f in cancelled)
    assert batcher.images == 2  # the cancelled crops were never read

    running = batcher.submit(crops[4])
    _wait_running(running)
    backlog = [batcher.submit(c) for c in crops[5:]]
    backlog[-1].cancel()  # cancelled by its caller: stays cancelled
    start = time.monotonic()
    batcher.close()
    assert time.monotonic() - start < 5  # waited for the running tesseract only
    assert running.result(timeout=0).value == "Reverse"
    for fut in backlog[:-1]:
        with pytest.raises(ocr.OcrError, match="stopped"):
            fut.result(timeout=0)
    assert backlog[-1].cancelled()
    assert batcher.images == 3
