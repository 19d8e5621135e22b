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

# --- Milesight LPR camera over the binary TCP "NVR/VMS" protocol (tools/emulators/milesight_tcp.py):
# we log in as the NVR; a recognition post (rev 1.6 metadata + plate crop + full picture) every
# 15 s, alternating in/out, including a Korean plate that needs the variable-length number.
DEMOS.append(
    {
        "kind": "milesight_tcp",
        "name": "Car park",
        "ports": ["milesight_tcp_port"],
        "emulator": lambda ctx: [
            ctx["python"], "-m", "tools.emulators.milesight_tcp",
            "--port", str(ctx["milesight_tcp_port"]), "--password", "ms-demo", "--interval", "15",
        ],
        "form": lambda ctx: {
            "name": "Car park",
            "host": "127.0.0.1",
            "port": ctx["milesight_tcp_port"],
            "username": "admin",
            "password": "ms-demo",
        },
    }
)

# --- NVR text device (tools/emulators/nvr_text.py): HA listens; the sender writes <LPR>PLATE</LPR>
# every 20 s (it retries until the listener is up).
DEMOS.append(
    {
        "kind": "nvr_text",
        "name": "Lane",
        "ports": ["nvr_text_port"],
        "emulator": lambda ctx: [
            ctx["python"], "-m", "tools.emulators.nvr_text",
            "--port", str(ctx["nvr_text_port"]), "--interval", "20",
        ],
        "form": lambda ctx: {
            "name": "Lane",
            "host": "127.0.0.1",
            "port": ctx["nvr_text_port"],
            "start_string": "<LPR>",
            "end_string": "</LPR>",
            "encoding": "US-ASCII",
            "idle_timeout": 300,
            "max_connections": 4,
        },
    }
)

# --- Webhook camera (tools/emulators/http_pusher.py): every push format in turn (Milesight JSON
# old/new keys, ?Caption=LPR GET, NumberOK multipart, Hikvision listening) every 12 s. The pusher
# finds the webhook URL in the demo's config storage once the camera exists.
DEMOS.append(
    {
        "kind": "http_push",
        "name": "Webhook",
        "emulator": lambda ctx: [
            ctx["python"], "-m", "tools.emulators.http_pusher",
            "--hass-config", str(ctx["base"] / "config"), "--camera", "Webhook",
            "--interval", "12",
        ],
        "form": lambda ctx: {
            "name": "Webhook",
            "local_only": True,
            "secret": "",
            "max_body_mb": 20,
        },
    }
)

# --- Dahua ITC camera (tools/emulators/dahua.py): snapManager event stream with digest auth, a
# TrafficJunction read with its picture every 15 s alternating Obverse/Reverse, heartbeats.
DEMOS.append(
    {
        "kind": "dahua",
        "name": "Entrance",
        "ports": ["dahua_port"],
        "emulator": lambda ctx: [
            ctx["python"], "-m", "tools.emulators.dahua",
            "--port", str(ctx["dahua_port"]), "--interval", "15",
        ],
        "form": lambda ctx: {
            "name": "Entrance",
            "host": "127.0.0.1",
            "port": ctx["dahua_port"],
            "ssl": False,
            "verify_ssl": True,
            "username": "admin",
            "password": "dahua-pass1",
            "channel": 1,
            "obverse_direction": "in",
            "fetch_snapshot": True,
        },
    }
)


def _setup_mqtt(ctx: dict[str, Any], proc: Any) -> None:
    """Give the demo's Home Assistant the MQTT integration, on the Frigate demo's broker."""
    if any(e["domain"] == "mqtt" for e in proc.request("GET", "/api/config/config_entries/entry")):
        return
    flow = proc.request("POST", "/api/config/config_entries/flow", {"handler": "mqtt"})
    path = f"/api/config/config_entries/flow/{flow['flow_id']}"
    if flow.get("type") == "menu":
        flow = proc.request("POST", path, {"next_step_id": "broker"})
    result = proc.request("POST", path, {"broker": "127.0.0.1", "port": ctx["frigate_mqtt_port"]})
    if result.get("type") != "create_entry":
        raise RuntimeError(f"MQTT not set up: {result.get('errors') or result}")


def _wait_plate_sensor(ctx: dict[str, Any], proc: Any) -> None:
    """The MQTT plate sensor appears once Home Assistant got the emulator's discovery."""
    if not any(e["domain"] == "mqtt" for e in proc.request("GET", "/api/config/config_entries/entry")):
        raise RuntimeError("the plate sensor comes from the Frigate demo's MQTT, which is not set up")
    proc.wait_state("sensor.lpr_sensor_plate", lambda s: True, 30)


# --- Frigate (tools/emulators/frigate.py): the demo's own mosquitto (Home Assistant's MQTT
# integration is set up on it), Frigate's MQTT messages for a car on camera "driveway" every
# 20 s (first read, better LPR read, end) and Frigate's HTTP API with the snapshots.
DEMOS.append(
    {
        "kind": "frigate",
        "name": "Frigate drive",
        "ports": ["frigate_mqtt_port", "frigate_http_port"],
        "emulator": lambda ctx: [
            ctx["python"], "-m", "tools.emulators.frigate", "--broker", "--plate-sensor",
            "--mqtt-port", str(ctx["frigate_mqtt_port"]),
            "--http-port", str(ctx["frigate_http_port"]), "--interval", "20",
        ],
        "before": _setup_mqtt,
        "form": lambda ctx: {
            "name": "Frigate drive",
            "frigate_camera": "driveway",
            "topic_prefix": "frigate",
            "frigate_url": f"http://127.0.0.1:{ctx['frigate_http_port']}",
            "settle": 2,
        },
    }
)

# --- Home Assistant entities: follows the MQTT plate sensor the Frigate emulator announces
# (another LPR program publishing its plates to MQTT), picture from no entity.
DEMOS.append(
    {
        "kind": "ha_entity",
        "name": "Plate sensor",
        "before": _wait_plate_sensor,
        "form": lambda ctx: {"name": "Plate sensor", "entities": ["sensor.lpr_sensor_plate"]},
    }
)
