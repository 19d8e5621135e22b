"""Overlay OCR with real tesseract (docs/protocols.md, "OCR of the folder picture overlay")."""

from __future__ import annotations

from concurrent.futures import Future
import io
import os
from pathlib import Path
import sys
import time
import types
from typing import Any

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
    batcher = ocr.OcrBatcher(field, runners=1, max_batch=8, engine=ocr.ENGINE_COMMAND)
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
    batcher = ocr.OcrBatcher(field, runners=2, engine=ocr.ENGINE_COMMAND)
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
    slow = ocr.OcrBatcher(
        ocr.OcrField(), runners=1, timeout=0.000001, engine=ocr.ENGINE_COMMAND
    )
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

    batcher = ocr.OcrBatcher(ocr.OcrField(), runners=1, engine=ocr.ENGINE_COMMAND)
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


@pytest.mark.parametrize("engine", [ocr.ENGINE_COMMAND, ocr.ENGINE_LIBRARY])
def test_batcher_skips_cancelled_crops_and_close_fails_the_backlog(engine: str) -> None:
    """A caller may cancel a queued crop; close() does not wait for the backlog to be read."""
    crops = [_crop("Direction:Reverse") for _ in range(8)]
    batcher = ocr.OcrBatcher(ocr.OcrField(), runners=1, max_batch=2, engine=engine)
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


# ---- the tesseract library (tesserocr) kept loaded per runner


def _junk_tessdata(tmp_path: Path) -> Path:
    """A language-data folder whose eng.traineddata is junk (a broken download)."""
    (tmp_path / "eng.traineddata").write_bytes(b"not a model" * 100)
    return tmp_path


def _system_tessdata() -> str:
    return ocr.tessdata_dir()


def test_library_reads_a_burst_crop_by_crop_in_order() -> None:
    """The default engine keeps tesseract loaded: every crop is read on its own, in order."""
    words = ["Forward", "Reverse", "Reverse", "Forward", "Reverse", "Forward"]
    crops = [_crop(f"Direction:{word}") for word in words]
    batcher = ocr.OcrBatcher(ocr.OcrField(), runners=2)
    try:
        batcher.start()
        results = [f.result(timeout=60) for f in [batcher.submit(c) for c in crops]]
        assert batcher.engine_in_use == ocr.ENGINE_LIBRARY
        # the real Hikvision band too
        with ocr.decode_image(REAL.read_bytes()) as image:
            real = batcher.submit(ocr.crop_field(image, batcher.field)).result(timeout=60)
    finally:
        batcher.close()
    assert [r.value for r in results] == words
    assert real.value == "Forward"
    assert real.text == "Direction:Forward"
    assert batcher.images == batcher.batches == len(words) + 1


def test_library_runs_without_the_tesseract_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the library and language data, OCR works although the command is not installed."""
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    assert ocr.check_available() == ocr.ENGINE_LIBRARY
    batcher = ocr.OcrBatcher(ocr.OcrField(), runners=1)
    try:
        assert batcher.submit(_crop("Direction:Reverse")).result(timeout=60).value == "Reverse"
        assert batcher.engine_in_use == ocr.ENGINE_LIBRARY
    finally:
        batcher.close()


def test_check_available() -> None:
    assert ocr.check_available() == ocr.ENGINE_COMMAND  # both installed: the command counts


def test_nothing_to_read_with(monkeypatch: pytest.MonkeyPatch) -> None:
    """No command and no language data anywhere: TesseractMissing names where it looked."""
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    monkeypatch.setattr(ocr, "TESSDATA_DIRS", ())
    monkeypatch.delenv("TESSDATA_PREFIX", raising=False)
    with pytest.raises(ocr.TesseractMissing, match=r"no eng.traineddata found \(looked in /x\)"):
        ocr.check_available(("/x",))


def test_tessdata_dir_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """TESSDATA_PREFIX first, then the extra folders (Home Assistant's), then tesseract's own."""
    system = _system_tessdata()
    assert system.endswith("/")
    assert os.path.isfile(system + "eng.traineddata")
    config = tmp_path / "config_tessdata"
    config.mkdir()
    assert ocr.tessdata_dir((str(config),)) == system  # empty folder: skipped
    (config / "eng.traineddata").write_bytes(Path(system, "eng.traineddata").read_bytes())
    assert ocr.tessdata_dir((str(config),)) == f"{config}/"
    (tmp_path / "prefix").mkdir()
    prefix = _junk_tessdata(tmp_path / "prefix")
    monkeypatch.setenv("TESSDATA_PREFIX", str(prefix))
    assert ocr.tessdata_dir((str(config),)) == f"{prefix}/"
    # without the command, the distributions' usual folders are looked at
    monkeypatch.delenv("TESSDATA_PREFIX")
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    monkeypatch.setattr(ocr, "TESSDATA_DIRS", ("/nonexistent", system.rstrip("/")))
    assert ocr.tessdata_dir() == system


def test_broken_language_data_falls_back_to_the_command(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A library that cannot load its model: one warning, reads go through the command; once
    the data is fixed, reload_engine() makes the runners load the library before their next
    crop."""
    junk = _junk_tessdata(tmp_path)  # e.g. a broken download in Home Assistant's tessdata folder
    batcher = ocr.OcrBatcher(ocr.OcrField(), runners=2, tessdata_dirs=(str(junk),))
    try:
        assert batcher.submit(_crop("Direction:Forward")).result(timeout=60).value == "Forward"
        assert batcher.engine_in_use == ocr.ENGINE_COMMAND
        batcher.submit(_crop()).result(timeout=60)
        warnings = [r for r in caplog.records if "tesseract command (library" in r.getMessage()]
        assert len(warnings) == 1  # not once per runner
        assert "tesseract library failed to load" in warnings[0].getMessage()
        (junk / "eng.traineddata").unlink()
        batcher.reload_engine()
        for _ in range(2):  # a runner loads the library before its next crop
            assert batcher.submit(_crop("Direction:Reverse")).result(timeout=60).value == "Reverse"
        assert batcher.engine_in_use == ocr.ENGINE_LIBRARY
    finally:
        batcher.close()


#: A crop of this size stands for one that takes longer than its deadline (see _DeadlineApi).
SLOW_SIZE = (333, 33)


class _DeadlineApi:
    """The real tesseract library, except that a crop of :data:`SLOW_SIZE` overruns its deadline.

    Tesseract's ``Recognize(timeout)`` returns False when a read passes its deadline; a real
    read of a small crop may or may not do that in 1 ms depending on the machine, so the crop
    that overruns is chosen here instead of raced. Every deadline asked for is recorded.
    """

    deadlines: list[int] = []
    real: Any = None  # the tesserocr module

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._api = self.real.PyTessBaseAPI(*args, **kwargs)
        self._slow = False

    def SetImage(self, image: Image.Image) -> None:
        self._slow = image.size == SLOW_SIZE
        self._api.SetImage(image)

    def Recognize(self, timeout: int = 0) -> bool:
        _DeadlineApi.deadlines.append(timeout)
        return False if self._slow else bool(self._api.Recognize(timeout=timeout))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._api, name)


def test_library_failures_fail_their_own_crop_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A crop the library cannot take, or a read past its deadline, fails that crop alone; the
    batcher's deadline reaches tesseract in milliseconds and the next crop reads normally."""
    import tesserocr  # noqa: PLC0415

    _DeadlineApi.real = tesserocr
    library = types.SimpleNamespace(PyTessBaseAPI=_DeadlineApi, OEM=tesserocr.OEM)
    monkeypatch.setitem(sys.modules, "tesserocr", library)
    _DeadlineApi.deadlines.clear()
    batcher = ocr.OcrBatcher(ocr.OcrField(), runners=1, timeout=2.5)
    try:
        closed = _crop()
        closed.close()
        with pytest.raises(ocr.OcrError, match="tesseract failed"):
            batcher.submit(closed).result(timeout=30)
        slow = _crop("Direction:Forward").resize(SLOW_SIZE)
        with pytest.raises(ocr.OcrError, match="timed out or failed"):
            batcher.submit(slow).result(timeout=30)
        assert batcher.submit(_crop("Direction:Reverse")).result(timeout=30).value == "Reverse"
    finally:
        batcher.close()
    assert batcher.engine_in_use == ocr.ENGINE_LIBRARY
    assert _DeadlineApi.deadlines == [2500, 2500]


def test_library_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without tesserocr the batcher reads with the command, quietly (it is optional)."""
    monkeypatch.setitem(sys.modules, "tesserocr", None)  # what Python does for a missing module
    assert ocr.load_engine_library() is None
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    with pytest.raises(ocr.TesseractMissing):
        ocr.check_available()
    monkeypatch.undo()
    monkeypatch.setitem(sys.modules, "tesserocr", None)
    batcher = ocr.OcrBatcher(ocr.OcrField(), runners=1)
    try:
        assert batcher.submit(_crop()).result(timeout=60).value == "Forward"
    finally:
        batcher.close()
    assert batcher.engine_in_use == ocr.ENGINE_COMMAND


def test_a_wheel_exists_for_this_machine() -> None:
    """The machines this project runs on (x86-64 glibc) have a wheel: the library is installed."""
    assert ocr.engine_wheel_available()
    assert ocr.load_engine_library() is not None
