"""Run a real Home Assistant process with the integration and drive it over its REST API.

Standard library only, so it works from the test venv, the dev venv and plain Python. Used by
``scripts/develop`` (demo) and ``tests/test_e2e.py`` (the same path end to end).
It runs ``python -m homeassistant -c <config> --skip-pip-packages anpr`` with the integration
symlinked into ``<config>/custom_components`` and gets an access token by onboarding over REST.
"""

from __future__ import annotations

from collections.abc import Iterable
import contextlib
import json
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request

REPO = Path(__file__).resolve().parent.parent
COMPONENT = REPO / "custom_components" / "anpr"


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(
    config_dir: Path,
    port: int,
    allow_dirs: Iterable[Path] = (),
    *,
    frontend: bool = False,
    time_zone: str = "UTC",
    extra: str = "",
) -> None:
    """Write ``configuration.yaml`` and link ``custom_components/anpr`` into ``config_dir``.

    Only the integrations we need are listed (no ``default_config:``); with ``frontend`` (the
    demo) also ``recorder:``, ``history:`` and ``logbook:``.
    """
    config_dir.mkdir(parents=True, exist_ok=True)
    custom = config_dir / "custom_components"
    custom.mkdir(exist_ok=True)
    link = custom / "anpr"
    if (link.is_symlink() or link.exists()) and link.resolve() != COMPONENT.resolve():
        link.unlink()
    if not link.exists():
        link.symlink_to(COMPONENT, target_is_directory=True)
    dirs = "".join(f"\n    - {d}" for d in allow_dirs)
    lines = [
        "homeassistant:",
        "  name: ANPR demo",
        f"  time_zone: {time_zone}",
        "  unit_system: metric",
        "  country: GB",
        "  latitude: 51.5",
        "  longitude: -0.12",
        "  elevation: 10",
        "  currency: GBP",
        f"  allowlist_external_dirs:{dirs or ' []'}",
        "http:",
        "  server_host: 127.0.0.1",
        f"  server_port: {port}",
        "api:",
        "auth:",
        "onboarding:",
        "config:",
        "webhook:",
        "logger:",
        "  default: warning",
        "  logs:",
        "    custom_components.anpr: debug",
        "    homeassistant.setup: info",
    ]
    if frontend:
        # What a user sees on a real site: history graphs and the logbook (with this
        # integration's logbook descriptions), both on the recorder; still no default_config:
        # (its cloud, discovery and network parts are not wanted in the demo).
        lines += ["frontend:", "search:", "recorder:", "  purge_keep_days: 7", "history:",
                  "logbook:"]  # fmt: skip
    text = "\n".join(lines) + "\n" + extra
    (config_dir / "configuration.yaml").write_text(text)


class HassProcess:
    """A ``hass -c <config>`` child process and a small REST client for it."""

    def __init__(
        self, config_dir: Path, port: int, python: str = sys.executable, log: Path | None = None
    ) -> None:
        """Remember where and how to run; :meth:`start` launches it."""
        self.config_dir = config_dir
        self.port = port
        self.python = python
        self.base = f"http://127.0.0.1:{port}"
        self.token: str | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = log or config_dir / "hass.out"

    def start(self, timeout: float = 90.0) -> None:
        """Start Home Assistant and wait until its HTTP API answers."""
        env = dict(os.environ)
        env.setdefault("OMP_THREAD_LIMIT", "1")
        env.pop("PYTHONPATH", None)
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [self.python, "-m", "homeassistant", "-c", str(self.config_dir),
             "--skip-pip-packages", "anpr"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hass exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.base}/api/onboarding", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        raise TimeoutError(f"hass did not answer on {self.base} in {timeout}s")

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM and wait (SIGKILL after ``timeout``); returns the exit code.

        Home Assistant installs its SIGTERM handler only once it has finished starting; a
        signal before that kills it outright (exit -15). So when logged in, wait for the core
        state ``RUNNING`` first (bounded by ``timeout``).
        """
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        if self.token:
            self.wait_running(timeout)
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)

    # --- REST helpers ---------------------------------------------------------------------

    def request(
        self, method: str, path: str, body: Any = None, *, form: bool = False, auth: bool = True
    ) -> Any:
        """Send a request; JSON in and out. Raises urllib.error.HTTPError on 4xx/5xx."""
        headers: dict[str, str] = {}
        data: bytes | None = None
        if body is not None:
            if form:
                data = urllib.parse.urlencode(body).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
        if auth and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def request_raw(self, path: str) -> bytes:
        """GET ``path`` with the token and return the raw body (pictures)."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        req = urllib.request.Request(self.base + path, headers=headers)
        with urllib.request.urlopen(req, timeout=30) as resp:
            return bytes(resp.read())

    def onboard(self, username: str, password: str, name: str = "Demo") -> str:
        """Create the owner user (first run) or log in; store and return an access token."""
        client_id = f"{self.base}/"
        status = self.request("GET", "/api/onboarding", auth=False)
        done = {step["step"] for step in status if step["done"]}
        if "user" not in done:
            result = self.request(
                "POST",
                "/api/onboarding/users",
                {"client_id": client_id, "name": name, "username": username,
                 "password": password, "language": "en"},
                auth=False,
            )
            code = result["auth_code"]
        else:
            flow = self.request(
                "POST", "/auth/login_flow",
                {"client_id": client_id, "handler": ["homeassistant", None],
                 "redirect_uri": client_id},
                auth=False,
            )
            result = self.request(
                "POST", f"/auth/login_flow/{flow['flow_id']}",
                {"client_id": client_id, "username": username, "password": password},
                auth=False,
            )
            code = result["result"]
        tokens = self.request(
            "POST", "/auth/token",
            {"grant_type": "authorization_code", "code": code, "client_id": client_id},
            form=True, auth=False,
        )
        self.token = tokens["access_token"]
        for step in ("core_config", "analytics", "integration"):
            if step in done:
                continue
            body: dict[str, Any] = {}
            if step == "integration":
                body = {"client_id": client_id, "redirect_uri": client_id}
            with contextlib.suppress(urllib.error.HTTPError):
                self.request("POST", f"/api/onboarding/{step}", body)
        # Onboarding's core_config step adds entries (weather, radio...) that reach the
        # internet; this machine has none, so remove every entry that is not ours.
        if "core_config" not in done:
            self.remove_foreign_entries()
        return self.token

    def remove_foreign_entries(self) -> None:
        """Delete config entries of other integrations (created by onboarding)."""
        for entry in self.request("GET", "/api/config/config_entries/entry"):
            if entry["domain"] != "anpr":
                with contextlib.suppress(urllib.error.HTTPError):
                    self.request("DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}")

    def entries(self) -> list[dict[str, Any]]:
        """Config entries of the anpr domain."""
        return [
            e for e in self.request("GET", "/api/config/config_entries/entry")
            if e["domain"] == "anpr"
        ]

    def ensure_hub(self) -> str:
        """Create the ANPR hub through its config flow unless it exists; return its entry id."""
        if existing := self.entries():
            return str(existing[0]["entry_id"])
        flow = self.request("POST", "/api/config/config_entries/flow", {"handler": "anpr"})
        result = self.request("POST", f"/api/config/config_entries/flow/{flow['flow_id']}", {})
        return str(result["result"]["entry_id"])

    def subentries(self, entry_id: str) -> list[dict[str, Any]]:
        """Camera subentries of the hub (over the websocket-free REST view when present)."""
        entry = next(e for e in self.entries() if e["entry_id"] == entry_id)
        return list(entry.get("subentries", []))

    def add_camera(self, entry_id: str, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        """Run the "Add camera" subentry flow: menu → kind form → create. Returns the result."""
        flow = self.request(
            "POST", "/api/config/config_entries/subentries/flow",
            {"handler": [entry_id, "camera"]},
        )
        path = f"/api/config/config_entries/subentries/flow/{flow['flow_id']}"
        form = self.request("POST", path, {"next_step_id": kind})
        if form.get("type") != "form":
            raise RuntimeError(f"unexpected flow result {form}")
        result = self.request("POST", path, data)
        if result.get("type") != "create_entry":
            raise RuntimeError(f"camera not created: {result.get('errors') or result}")
        return dict(result)

    def wait_running(self, timeout: float = 60.0) -> bool:
        """Poll ``/api/config`` (needs the token) until the core state is RUNNING.

        Returns False when it did not get there within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                return False
            try:
                if self.request("GET", "/api/config").get("state") == "RUNNING":
                    return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        return False

    def state(self, entity_id: str) -> dict[str, Any] | None:
        """Return a state object or None when the entity does not exist."""
        try:
            return dict(self.request("GET", f"/api/states/{entity_id}"))
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return None
            raise

    def wait_state(
        self, entity_id: str, predicate: Any, timeout: float = 30.0
    ) -> dict[str, Any]:
        """Poll until ``predicate(state)`` is true; return the state. Raises TimeoutError."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = self.state(entity_id)
            if last is not None and predicate(last):
                return last
            time.sleep(0.2)
        raise TimeoutError(f"{entity_id} never matched; last state {last}")
