#!/usr/bin/env python3
"""Fill the generated parts of translations/en.json from each camera kind's own step.

For every ``config_subentries.camera.step.<kind>`` written by hand this adds the common
per-camera fields (name, repeat window, minimum confidence, direction) where the kind has not
worded them itself, and keeps ``reconfigure_<kind>`` in step with it (the same fields minus the
name; texts written for the reconfigure step are kept), plus the "Add camera" menu label.
Run it after editing a kind's step; ``tests/test_translations.py`` fails when it is stale.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
import sys

PATH = Path(__file__).resolve().parent.parent / "custom_components/anpr/translations/en.json"

COMMON_DATA = {
    "name": "Camera name",
    "repeat_window": "Repeat window",
    "min_confidence": "Minimum confidence",
    "direction_mode": "Direction",
    "camera_role": "Camera role (visits)",
    "unreadable_events": "Unreadable-plate events",
}
COMMON_DESC = {
    "name": "Shown as the device name; entity ids are built from it.",
    "repeat_window": "Reads of the same plate on this camera within this many seconds are one sighting: the event fires once, later reads only improve it.",
    "min_confidence": "Reads the camera is less sure of than this (0-1) are ignored. 0 keeps every read.",
    "direction_mode": "How to use the direction the camera reports: as reported, swapped (the camera is mounted the other way round), or every read counts as entering (entry-only camera) or leaving (exit-only camera).",
    "camera_role": "What this camera's reads mean for visits: entry (every read arrives), exit (every read leaves), both (the read's direction decides) or pass-by (a road camera: no visits).",
    "unreadable_events": "Fire an unreadable event when the camera reports a vehicle without a readable plate (for security automations).",
}
MENU_LABELS = {
    "folder": "Pictures uploaded to a folder (FTP/NAS)",
    "hikvision": "Hikvision ISAPI (alertStream or HTTP listening)",
    "http_push": "Camera pushes to a webhook (LPR JSON, NumberOK, Hikvision)",
    "milesight_tcp": "Milesight LPR camera (TCP, as its NVR)",
    "nvr_text": "NVR text device (TCP <LPR>PLATE</LPR>)",
    "onvif": "ONVIF metadata (RTSP) or PullPoint events",
}


def sync(en: dict) -> dict:
    camera = en["config_subentries"]["camera"]
    steps = camera["step"]
    kinds = [k for k in steps if k not in ("user",) and not k.startswith("reconfigure_")]
    menu = steps["user"].setdefault("menu_options", {})
    for kind in kinds:
        step = steps[kind]
        data = step.setdefault("data", {})
        desc = step.setdefault("data_description", {})
        for key, label in COMMON_DATA.items():
            data.setdefault(key, label)
            desc.setdefault(key, COMMON_DESC[key])
        # Name first, common tunables last: the order the form shows them.
        order = ["name"] + [k for k in data if k not in COMMON_DATA] + list(COMMON_DATA)[1:]
        step["data"] = {k: data[k] for k in order}
        step["data_description"] = {k: desc[k] for k in order}
        reconf = steps.setdefault(f"reconfigure_{kind}", {})
        reconf.setdefault("title", f"Reconfigure {step.get('title', kind)}")
        if "description" in step:
            reconf.setdefault("description", step["description"])
        rdata = reconf.get("data", {})
        rdesc = reconf.get("data_description", {})
        reconf["data"] = {k: rdata.get(k, step["data"][k]) for k in order[1:]}
        reconf["data_description"] = {
            k: rdesc.get(k, step["data_description"][k]) for k in order[1:]
        }
        menu.setdefault(kind, MENU_LABELS.get(kind, step.get("title", kind)))
    return en


def main() -> int:
    en = json.loads(PATH.read_text())
    new = sync(copy.deepcopy(en))
    text = json.dumps(new, indent=2, ensure_ascii=False) + "\n"
    if "--check" in sys.argv:
        if json.loads(PATH.read_text()) != new:
            print("en.json is stale: run scripts/sync_translations.py")
            return 1
        return 0
    PATH.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
