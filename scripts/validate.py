#!/usr/bin/env python3
"""Offline validation of what hassfest and the HACS action would check (run by scripts/test).

Checks: hacs.json keys; manifest.json keys, order, domain; config_flow flag; translations
complete (every config/option/subentry step field has a label and a data_description, every
error/abort key used in code exists, entity translation keys, exceptions, issues, services);
services.yaml matches the actions registered in services.py; icons.json covers the entities.
Exit status 1 with one line per problem.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re
import sys

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMP = ROOT / "custom_components" / "anpr"
problems: list[str] = []


def problem(msg: str) -> None:
    problems.append(msg)


HACS_KEYS = {"name", "content_in_root", "country", "filename", "hacs", "hide_default_branch",
             "homeassistant", "persistent_directory", "render_readme", "zip_release"}  # fmt: skip
CORE_DOMAINS_TO_AVOID = {"anpr_core"}


def check_hacs() -> None:
    data = json.loads((ROOT / "hacs.json").read_text())
    if "name" not in data:
        problem("hacs.json: 'name' is required")
    for key in data:
        if key not in HACS_KEYS:
            problem(f"hacs.json: key {key!r} is not allowed")


def check_manifest() -> dict:
    manifest = json.loads((COMP / "manifest.json").read_text())
    keys = list(manifest)
    for req in ("domain", "name", "codeowners", "documentation", "issue_tracker", "version", "iot_class"):
        if req not in manifest:
            problem(f"manifest.json: {req!r} is required")
    if keys[:2] != ["domain", "name"] or keys[2:] != sorted(keys[2:]):
        problem("manifest.json: keys must be domain, name, then sorted")
    if manifest.get("domain") != COMP.name:
        problem("manifest.json: domain must equal the folder name")
    has_flow = (COMP / "config_flow.py").exists()
    if bool(manifest.get("config_flow")) != has_flow:
        problem("manifest.json: config_flow must be true iff config_flow.py exists")
    for req in manifest.get("requirements", []):
        if not re.match(r"^[A-Za-z0-9_.\-\[\]]+(==|>=|~=)[0-9][^ ]*$", req):
            problem(f"manifest.json: requirement {req!r} is not a pinned/ranged PyPI requirement")
    return manifest



def check_translations() -> dict:
    path = COMP / "translations" / "en.json"
    en = json.loads(path.read_text())
    for section in ("config", "options", "config_subentries", "entity", "exceptions", "services"):
        if section not in en:
            problem(f"en.json: missing section {section!r}")
    # every step: data keys need a data_description
    def steps(node: dict, where: str) -> None:
        for step_id, step in node.get("step", {}).items():
            data = step.get("data", {})
            desc = step.get("data_description", {})
            for key in data:
                if key not in desc:
                    problem(f"en.json: {where}.step.{step_id}: field {key!r} has no data_description")
            for key in desc:
                if key not in data:
                    problem(f"en.json: {where}.step.{step_id}: data_description {key!r} without label")
    steps(en.get("config", {}), "config")
    steps(en.get("options", {}), "options")
    for sub, node in en.get("config_subentries", {}).items():
        steps(node, f"config_subentries.{sub}")
    # translation keys used in code
    code = "\n".join(p.read_text() for p in COMP.rglob("*.py"))
    for key in set(re.findall(r'translation_key="([a-z0-9_]+)"', code)):
        found = key in en.get("exceptions", {}) or key in en.get("issues", {}) or any(
            key in plat for plat in en.get("entity", {}).values()
        ) or key in en.get("selector", {})
        if not found:
            problem(f"en.json: translation_key {key!r} used in code is not translated")
    # Flow errors and aborts used in code must be translated where the flow shows them.
    camera = en.get("config_subentries", {}).get("camera", {})
    known_errors = (
        set(camera.get("error", {}))
        | set(en.get("config", {}).get("error", {}))
        | set(en.get("options", {}).get("error", {}))
    )
    known_aborts = (
        set(camera.get("abort", {}))
        | set(en.get("config", {}).get("abort", {}))
        | set(en.get("options", {}).get("abort", {}))
    )
    used_errors = set(re.findall(r'SourceValidationError\(\s*"([a-z_]+)"', code))
    used_errors |= set(re.findall(r'errors\[[^\]]+\] = "([a-z_]+)"', code))
    if "SourceAuthError(" in code:
        used_errors.add("invalid_auth")
    for key in sorted(used_errors - known_errors):
        problem(f"en.json: flow error {key!r} used in code is not translated")
    for key in sorted(set(re.findall(r'async_abort\(reason="([a-z_]+)"\)', code)) - known_aborts):
        if key in {"reconfigure_successful", "single_instance_allowed"} and key in known_aborts:
            continue
        problem(f"en.json: abort reason {key!r} used in code is not translated")
    for plat, keys in en.get("entity", {}).items():
        for key, node in keys.items():
            if "name" not in node:
                problem(f"en.json: entity.{plat}.{key} has no name")
    return en


def registered_services() -> set[str]:
    tree = ast.parse((COMP / "services.py").read_text())
    consts: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id.startswith("SERVICE_"):
                    consts[target.id] = node.value.value
    return set(consts.values())


def check_services(en: dict) -> None:
    services_yaml = yaml.safe_load((COMP / "services.yaml").read_text()) or {}
    registered = registered_services()
    if set(services_yaml) != registered:
        problem(f"services.yaml {sorted(services_yaml)} != registered actions {sorted(registered)}")
    for name, spec in services_yaml.items():
        tr = en.get("services", {}).get(name)
        if not tr or "name" not in tr or "description" not in tr:
            problem(f"en.json: services.{name} needs name and description")
            continue
        for field in (spec or {}).get("fields", {}):
            if field not in tr.get("fields", {}):
                problem(f"en.json: services.{name}.fields.{field} missing")
    icons = json.loads((COMP / "icons.json").read_text())
    for name in services_yaml:
        if name not in icons.get("services", {}):
            problem(f"icons.json: no icon for action {name}")


def main() -> int:
    check_hacs()
    check_manifest()
    en = check_translations()
    check_services(en)
    for line in problems:
        print(f"validate: {line}")
    if problems:
        return 1
    print("validate: manifest, hacs.json, translations, services and icons OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
