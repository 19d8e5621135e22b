"""Shared fixtures for the anpr tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
import logging
import os
from pathlib import Path
import re
from unittest.mock import PropertyMock, patch

from homeassistant.const import MAJOR_VERSION, MINOR_VERSION
import pytest
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion
from syrupy.location import PyTestLocation
from syrupy.types import PropertyPath, SerializableData

# Import our package first so `custom_components` resolves to this repository, not to the
# test plugin's testing_config package.
import custom_components.anpr  # noqa: F401

FIXTURES = Path(__file__).parent / "fixtures"
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/anpr in every hass test."""


@pytest.fixture
def fixtures_dir() -> Path:
    """Return the folder of the project's own test fixtures."""
    return FIXTURES


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Let ``@pytest.mark.enable_socket`` tests use loopback sockets (the HA plugin blocks them)."""
    for item in items:
        if item.get_closest_marker("enable_socket"):
            item.fixturenames.insert(0, "socket_enabled")


@pytest.fixture
def camera_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Set when reads "arrive" for the camera-clock window of the validation step.

    Tests that replay recorded reads (fixture names and times from 2025) call
    ``camera_clock(when)`` so their capture times are plausible, as they were when recorded.
    """

    def set_clock(when: datetime) -> None:
        monkeypatch.setattr("custom_components.anpr.coordinator.receive_time", lambda: when)

    return set_clock


@pytest.fixture(autouse=True)
def isolated_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Give every test its own sightings database (the HA test config dir is shared)."""
    path = tmp_path / "anpr_history.db"
    monkeypatch.setattr("custom_components.anpr.hub.history_path", lambda hass: path)
    return path


#: Where Home Assistant reports a deprecated or removed API use ("Detected that custom
#: integration 'anpr' calls ...", deprecated constants and functions).
DEPRECATION_LOGGERS = ("homeassistant.helpers.frame", "homeassistant.helpers.deprecation")


class DeprecationReports(logging.Handler):
    """Collects Home Assistant's deprecation reports during one test."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.reports: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "anpr" in message or "Detected" in message:
            self.reports.append(message)


@pytest.fixture(autouse=True)
def no_deprecated_api_use() -> Iterator[DeprecationReports]:
    """Fail any test during which Home Assistant reports a deprecated API use by this code.

    Home Assistant reports each use once per process, so the first test that makes it fails.
    In tests, uses from test code raise instead ("Detected code that calls ..."), which fails
    the test by itself.
    """
    handler = DeprecationReports()
    loggers = [logging.getLogger(name) for name in DEPRECATION_LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    if handler.reports:
        pytest.fail(
            "Home Assistant reported a deprecated or removed API use:\n" + "\n".join(handler.reports)
        )


#: The snapshot folder of the installed Home Assistant release (scripts/envs.sh names them):
#: the entity registry entry has other fields on each release, so one ``.ambr`` cannot serve both.
SNAPSHOT_RELEASE = "ha2025.4" if (MAJOR_VERSION, MINOR_VERSION) == (2025, 4) else "latest"


class ReleaseSnapshotExtension(HomeAssistantSnapshotExtension):
    """Home Assistant's snapshot format, stored in ``tests/snapshots/<release>/``."""

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        """Return ``tests/snapshots/ha2025.4`` or ``tests/snapshots/latest``."""
        return str(Path(test_location.filepath).parent / "snapshots" / SNAPSHOT_RELEASE)


_TOKEN_IN_URL = re.compile(r"([?&]token=)[0-9a-f]+")
_UUID_HEX = re.compile(r"[0-9a-f]{32}")


def mask_random_values(*, data: SerializableData, path: PropertyPath) -> SerializableData:
    """Replace values that are random on every run by markers (a syrupy matcher).

    - An image entity's access token (``access_token``, and inside ``entity_picture``):
      ``ImageEntity`` makes a new random one per entity; the URL around it is kept, so the
      snapshot still shows where a dashboard fetches the picture.
    - Sighting and visit ids (``id``, ``visit_id``: uuid4 hex).
    """
    if not path or not isinstance(data, str):
        return data
    key = path[-1][0]
    if key == "access_token":
        return "<access token>"
    if key == "entity_picture":
        return _TOKEN_IN_URL.sub(r"\1<access token>", data)
    if key in ("id", "visit_id") and _UUID_HEX.fullmatch(data):
        return "<uuid>"
    return data


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Syrupy with Home Assistant's extension, one folder per release, random values masked."""
    return snapshot.with_defaults(
        extension_class=ReleaseSnapshotExtension, matcher=mask_random_values
    )


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Register every entity enabled, also those disabled by default (core's fixture)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield
