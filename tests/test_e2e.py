"""End to end: a real ``hass`` process, onboarded and configured over its REST API.

The same path ``scripts/develop`` takes: hub + folder camera created through the real flows,
the real Hikvision picture dropped into the watched folder, and the plate, the OCR direction
and the picture read back from ``/api/states``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
import os
from pathlib import Path
import shutil
from zoneinfo import ZoneInfo

import pytest

from tools.hass_runner import HassProcess, free_port, write_config

IMAGE = Path(__file__).parent / "fixtures" / "20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg"


@pytest.fixture
def hass_process(tmp_path: Path) -> Iterator[tuple[HassProcess, Path]]:
    watch = tmp_path / "ftp"
    watch.mkdir()
    config = tmp_path / "config"
    port = free_port()
    write_config(config, port, [watch])
    proc = HassProcess(config, port)
    proc.start()
    try:
        yield proc, watch
    finally:
        code = proc.stop()
        log = proc.log_path.read_text(errors="replace")
        assert code == 0, log[-4000:]
        assert "Traceback" not in log or "custom_components/anpr" not in log, log[-6000:]


@pytest.mark.e2e
@pytest.mark.enable_socket
def test_real_home_assistant_reads_real_picture(hass_process: tuple[HassProcess, Path]) -> None:
    proc, watch = hass_process
    proc.onboard("demo", "demo-password")
    entry_id = proc.ensure_hub()
    proc.add_camera(
        entry_id,
        "folder",
        {"name": "Driveway", "path": str(watch), "ocr": True, "time_zone": "Europe/London"},
    )
    # The camera starts in the background after the flow; its entities appear once it watches.
    proc.wait_state("sensor.driveway_last_plate", lambda s: True)
    # Upload the way FTP servers do: write under a temporary name, then rename into place.
    # The name carries the capture time; a recent one, as a camera uploading now would write
    # (times over 7 days old are a wrong camera clock and replaced by the arrival time).
    captured = (datetime.now(UTC) - timedelta(minutes=5)).replace(microsecond=407000)
    local = captured.astimezone(ZoneInfo("Europe/London"))
    tmp = watch / ".upload.tmp"
    shutil.copyfile(IMAGE, tmp)
    os.rename(tmp, watch / f"{local:%Y%m%d%H%M%S}407_B4DM3N_VEHICLE_DETECTION.jpg")

    state = proc.wait_state("sensor.driveway_last_plate", lambda s: s["state"] == "B4DM3N")
    attrs = state["attributes"]
    assert attrs["plate"] == "B4DM3N"
    assert attrs["camera"] == "Driveway"
    assert attrs["direction"] == "in"  # overlay "Direction:Forward" read by tesseract
    assert attrs["previous_sightings"] == 0
    # The camera clock's London time in the name, back in UTC.
    assert attrs["time"].startswith(captured.isoformat(timespec="milliseconds")[:23])
    event = proc.state("event.driveway_plate")
    assert event is not None and event["attributes"]["event_type"] == "unknown"
    image = proc.state("image.driveway_picture")
    assert image is not None and image["state"] not in ("unknown", "unavailable")
    picture = proc.request_raw(image["attributes"]["entity_picture"])
    assert picture == IMAGE.read_bytes()  # the original bytes, never re-encoded
