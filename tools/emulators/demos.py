"""Demo cameras for ``scripts/develop`` (tools/develop.py loads ``DEMOS``).

Each entry is the keyword arguments of ``tools.develop.Demo``: ``kind``, ``name``, ``form(ctx)``
(the "Add camera" form data), optional ``emulator(ctx)`` (the command line of the emulator
feeding it, started from the repository root) and ``ports`` (names of free ports put into
``ctx``). Add one block per source kind; keep entries independent of each other.
"""

from __future__ import annotations

from typing import Any

DEMOS: list[dict[str, Any]] = []

# --- Hikvision ISAPI camera (tools/emulators/hikvision.py): arming mode, digest auth, a plate
# every 15 s alternating forward/reverse, videoloss heartbeats every 10 s.
DEMOS.append(
    {
        "kind": "hikvision",
        "name": "Gate",
        "ports": ["hikvision_port"],
        "emulator": lambda ctx: [
            ctx["python"], "-m", "tools.emulators.hikvision",
            "--port", str(ctx["hikvision_port"]), "--interval", "15", "--heartbeat", "10",
        ],
        "form": lambda ctx: {
            "name": "Gate",
            "host": "127.0.0.1",
            "port": ctx["hikvision_port"],
            "ssl": False,
            "verify_ssl": True,
            "username": "admin",
            "password": "12345abc",
            "channel": 1,
            "mode": "arming",
            "configure_http_host": False,
            "catch_up": True,
        },
    }
)

# --- ONVIF camera (tools/emulators/onvif.py): RTSP metadata track (plates in the Milesight,
# Hikvision, ONVIF-rule and scene-description shapes in turn, every 20 s), pictures over HTTP
# with Digest auth, ONVIF device/media/events SOAP; the camera is found through GetProfiles.
DEMOS.append(
    {
        "kind": "onvif",
        "name": "Barrier",
        "ports": ["onvif_rtsp_port", "onvif_http_port"],
        "emulator": lambda ctx: [
            ctx["python"], "-m", "tools.emulators.onvif",
            "--port", str(ctx["onvif_rtsp_port"]), "--http-port", str(ctx["onvif_http_port"]),
            "--username", "admin", "--password", "onvif-demo", "--interval", "20",
        ],
        "form": lambda ctx: {
            "name": "Barrier",
            "host": "127.0.0.1",
            "port": ctx["onvif_http_port"],
            "username": "admin",
            "password": "onvif-demo",
            "mode": "auto",
        },
    }
)
