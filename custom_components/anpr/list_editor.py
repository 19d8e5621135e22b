"""Options-flow editor of the plate lists (lists editable from the UI, no YAML).

A mixin for the hub's options flow. The ``lists`` menu offers: add / edit / remove a group, add /
edit / remove plates, paste many plates at once (one per line or CSV rows ``plate, group,
description, validity``), and done. Every change is written to the list store at once (data,
not config: no reload) and applies to the next read; the flow returns to the menu after each
change. Translations: ``options.step.<step>`` in ``translations/en.json``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult, OptionsFlow
from homeassistant.helpers import selector
from homeassistant.util import slugify
import voluptuous as vol

from .const import CATEGORIES, SUBENTRY_CAMERA
from .core.plates import (
    InvalidPlateEntry,
    PlateEntry,
    PlateGroup,
    normalise_plate,
    parse_list_csv,
    plate_entry,
)

if TYPE_CHECKING:
    from .store import ListStore

PRIORITIES = ["low", "medium", "high", "critical"]
LIST_MENU = [
    "add_group",
    "edit_group",
    "remove_group",
    "add_plate",
    "edit_plate",
    "remove_plates",
    "paste_plates",
    "done",
]
MAX_SHOWN_PROBLEMS = 10


class ListEditorMixin(OptionsFlow):
    """Steps of the list editor; the options flow inherits them."""

    _edit_group_id: str | None = None
    _edit_plate: tuple[str, str] | None = None
    _paste_summary: dict[str, str] | None = None

    # --- helpers ---------------------------------------------------------------------------

    def _list_store(self) -> ListStore | None:
        """Return the hub's plate lists; None while the hub is not loaded (no runtime data)."""
        entry = self.config_entry
        if entry.state is not ConfigEntryState.LOADED:
            return None
        lists: ListStore = entry.runtime_data.lists
        return lists

    def _group_selector(self, store: ListStore) -> selector.SelectSelector:
        return selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[
                    selector.SelectOptionDict(value=gid, label=f"{g.name} ({g.category})")
                    for gid, g in store.lists.groups.items()
                ],
                mode=selector.SelectSelectorMode.DROPDOWN,
            )
        )

    def _camera_selector(self) -> selector.SelectSelector:
        return selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[
                    selector.SelectOptionDict(value=sid, label=sub.title)
                    for sid, sub in self.config_entry.subentries.items()
                    if sub.subentry_type == SUBENTRY_CAMERA
                ],
                multiple=True,
                mode=selector.SelectSelectorMode.DROPDOWN,
            )
        )

    def _saved(self, store: ListStore) -> None:
        store.async_schedule_save()

    # --- menu ------------------------------------------------------------------------------

    async def async_step_lists(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Menu of the list editor."""
        store = self._list_store()
        if store is None:
            return self.async_abort(reason="hub_not_loaded")
        return self.async_show_menu(
            step_id="lists",
            menu_options=LIST_MENU,
            description_placeholders={
                "groups": str(len(store.lists.groups)),
                "plates": str(len(store.lists.entries)),
            },
        )

    async def async_step_done(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Close the editor (options unchanged: no reload)."""
        return self.async_create_entry(data=dict(self.config_entry.options))

    # --- groups ----------------------------------------------------------------------------

    def _group_schema(self, defaults: dict[str, Any]) -> vol.Schema:
        fields: dict[vol.Marker, Any] = {
            vol.Required("name", default=defaults.get("name", "")): selector.TextSelector()
        }
        fields[vol.Required("category", default=defaults.get("category", "allowed"))] = (
            selector.SelectSelector(
                selector.SelectSelectorConfig(options=CATEGORIES, translation_key="category")
            )
        )
        fields[vol.Required("priority", default=defaults.get("priority", "medium"))] = (
            selector.SelectSelector(
                selector.SelectSelectorConfig(options=PRIORITIES, translation_key="priority")
            )
        )
        fields[
            vol.Optional("icon", description={"suggested_value": defaults.get("icon")})
        ] = selector.IconSelector()
        fields[vol.Optional("vehicles", default=bool(defaults.get("vehicles", True)))] = (
            selector.BooleanSelector()
        )
        fields[
            vol.Optional(
                "description", description={"suggested_value": defaults.get("description")}
            )
        ] = selector.TextSelector()
        return vol.Schema(fields)

    async def async_step_add_group(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Create a named group with a category, priority, icon and description."""
        store = self._list_store()
        if store is None:
            return self.async_abort(reason="hub_not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            name = str(user_input["name"]).strip()
            gid = slugify(name)
            if not name or not gid:
                errors["name"] = "name_required"
            elif gid in store.lists.groups or any(
                g.name.casefold() == name.casefold() for g in store.lists.groups.values()
            ):
                errors["name"] = "group_exists"
            else:
                store.lists.set_group(
                    PlateGroup(
                        id=gid,
                        name=name,
                        category=user_input["category"],
                        priority=user_input["priority"],
                        icon=user_input.get("icon") or None,
                        description=user_input.get("description") or None,
                        vehicles=user_input.get("vehicles"),
                    )
                )
                self._saved(store)
                return await self.async_step_lists()
        return self.async_show_form(
            step_id="add_group", data_schema=self._group_schema(user_input or {}), errors=errors
        )

    async def async_step_edit_group(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick the group to edit."""
        store = self._list_store()
        if store is None:
            return self.async_abort(reason="hub_not_loaded")
        if user_input is not None:
            self._edit_group_id = user_input["group"]
            return await self.async_step_edit_group_details()
        return self.async_show_form(
            step_id="edit_group",
            data_schema=vol.Schema({vol.Required("group"): self._group_selector(store)}),
        )

    async def async_step_edit_group_details(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change a group's name, category, priority, icon or description."""
        store = self._list_store()
        if store is None or self._edit_group_id not in store.lists.groups:
            return self.async_abort(reason="hub_not_loaded")
        group = store.lists.groups[self._edit_group_id]
        errors: dict[str, str] = {}
        if user_input is not None:
            name = str(user_input["name"]).strip()
            if not name:
                errors["name"] = "name_required"
            elif any(
                g.name.casefold() == name.casefold() and gid != group.id
                for gid, g in store.lists.groups.items()
            ):
                errors["name"] = "group_exists"
            else:
                store.lists.set_group(
                    PlateGroup(
                        id=group.id,
                        name=name,
                        category=user_input["category"],
                        priority=user_input["priority"],
                        icon=user_input.get("icon") or None,
                        description=user_input.get("description") or None,
                        vehicles=user_input.get("vehicles"),
                    )
                )
                self._saved(store)
                return await self.async_step_lists()
        defaults = user_input or {
            "name": group.name, "category": group.category, "priority": group.priority,
            "icon": group.icon, "description": group.description,
            "vehicles": group.tracks_vehicles,
        }  # fmt: skip
        return self.async_show_form(
            step_id="edit_group_details",
            data_schema=self._group_schema(defaults),
            errors=errors,
            description_placeholders={"group": group.name},
        )

    async def async_step_remove_group(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Remove a group and every plate in it."""
        store = self._list_store()
        if store is None:
            return self.async_abort(reason="hub_not_loaded")
        if user_input is not None:
            if user_input["group"] in store.lists.groups:
                store.lists.remove_group(user_input["group"])
                self._saved(store)
            return await self.async_step_lists()
        return self.async_show_form(
            step_id="remove_group",
            data_schema=vol.Schema({vol.Required("group"): self._group_selector(store)}),
        )

    # --- plates ----------------------------------------------------------------------------

    def _plate_schema(self, store: ListStore, defaults: dict[str, Any]) -> vol.Schema:
        def suggested(key: str) -> dict[str, Any]:
            return {"suggested_value": defaults.get(key)}

        multi = selector.TextSelector(selector.TextSelectorConfig(multiple=True))
        return vol.Schema(
            {
                vol.Required("plate", default=defaults.get("plate", "")): selector.TextSelector(),
                vol.Required(
                    "group", default=defaults.get("group", next(iter(store.lists.groups), ""))
                ): self._group_selector(store),
                vol.Optional("description", description=suggested("description")): (
                    selector.TextSelector()
                ),
                vol.Optional("aliases", description=suggested("aliases")): multi,
                vol.Optional("cameras", description=suggested("cameras")): (
                    self._camera_selector()
                ),
                vol.Optional("validity", description=suggested("validity")): (
                    selector.TextSelector()
                ),
                vol.Optional("rules", description=suggested("rules")): multi,
            }
        )

    def _entry_from_input(
        self, store: ListStore, user_input: dict[str, Any], errors: dict[str, str]
    ) -> PlateEntry | None:
        """Check the plate form (``core.plates.plate_entry``); put every problem in ``errors``."""
        try:
            return plate_entry(
                store.lists,
                plate=str(user_input.get("plate", "")),
                group=str(user_input.get("group", "")),
                description=user_input.get("description"),
                aliases=user_input.get("aliases") or [],
                cameras=user_input.get("cameras") or [],
                validity=str(user_input.get("validity") or ""),
                rules=user_input.get("rules") or [],
            )
        except InvalidPlateEntry as err:
            for problem in err.problems:
                errors.setdefault(problem.field, problem.error)
            return None

    async def async_step_add_plate(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add one plate with its details."""
        store = self._list_store()
        if store is None:
            return self.async_abort(reason="hub_not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            entry = self._entry_from_input(store, user_input, errors)
            if entry is not None:
                store.lists.add(entry)
                self._saved(store)
                return await self.async_step_lists()
        return self.async_show_form(
            step_id="add_plate",
            data_schema=self._plate_schema(store, user_input or {}),
            errors=errors,
        )

    async def async_step_edit_plate(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Find the plate to edit (plate text and its group)."""
        store = self._list_store()
        if store is None:
            return self.async_abort(reason="hub_not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            plate = normalise_plate(str(user_input["plate"]))
            if store.lists.get(plate, user_input["group"]) is None:
                errors["plate"] = "plate_not_listed"
            else:
                self._edit_plate = (user_input["group"], plate)
                return await self.async_step_edit_plate_details()
        return self.async_show_form(
            step_id="edit_plate",
            data_schema=vol.Schema(
                {
                    vol.Required("plate"): selector.TextSelector(),
                    vol.Required("group"): self._group_selector(store),
                }
            ),
            errors=errors,
        )

    async def async_step_edit_plate_details(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change a listed plate (moving it to another group or renaming it is allowed)."""
        store = self._list_store()
        if store is None or self._edit_plate is None:
            return self.async_abort(reason="hub_not_loaded")
        group, plate = self._edit_plate
        current = store.lists.get(plate, group)
        if current is None:
            return await self.async_step_lists()
        errors: dict[str, str] = {}
        if user_input is not None:
            entry = self._entry_from_input(store, user_input, errors)
            if entry is not None:
                store.lists.remove(plate, group)
                store.lists.add(entry)
                self._saved(store)
                self._edit_plate = None
                return await self.async_step_lists()
        defaults = user_input or {
            "plate": current.plate,
            "group": current.group,
            "description": current.description,
            "aliases": current.aliases,
            "cameras": current.cameras,
            "validity": current.validity.to_text() if current.validity else None,
            "rules": current.rules,
        }
        return self.async_show_form(
            step_id="edit_plate_details",
            data_schema=self._plate_schema(store, defaults),
            errors=errors,
            description_placeholders={"plate": plate},
        )

    async def async_step_remove_plates(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Remove plates (one per line) from one group or from every group."""
        store = self._list_store()
        if store is None:
            return self.async_abort(reason="hub_not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            group = user_input.get("group") or None
            removed = 0
            for line in str(user_input["plates"]).splitlines():
                if line.strip():
                    removed += store.lists.remove(line, group)
            if removed:
                self._saved(store)
                return await self.async_step_lists()
            errors["plates"] = "plate_not_listed"
        return self.async_show_form(
            step_id="remove_plates",
            data_schema=vol.Schema(
                {
                    vol.Required("plates"): selector.TextSelector(
                        selector.TextSelectorConfig(multiline=True)
                    ),
                    vol.Optional("group"): self._group_selector(store),
                }
            ),
            errors=errors,
        )

    async def async_step_paste_plates(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add many plates at once: one per line, or CSV rows (plate, group, description, ...)."""
        store = self._list_store()
        if store is None:
            return self.async_abort(reason="hub_not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            good, problems = parse_list_csv(
                str(user_input["plates"]), store.lists, user_input["group"]
            )
            if not good and not problems:
                errors["plates"] = "no_plates"
            else:
                for entry in good:
                    store.lists.add(entry)
                if good:
                    self._saved(store)
                shown = [f"line {p.line}: {p.plate or '(empty)'} ({p.error})"
                         for p in problems[:MAX_SHOWN_PROBLEMS]]  # fmt: skip
                if len(problems) > MAX_SHOWN_PROBLEMS:
                    shown.append(f"… {len(problems) - MAX_SHOWN_PROBLEMS} more")
                self._paste_summary = {
                    "added": str(len(good)),
                    "rejected": str(len(problems)),
                    "problems": "\n".join(shown) or "-",
                }
                return await self.async_step_paste_result()
        return self.async_show_form(
            step_id="paste_plates",
            data_schema=vol.Schema(
                {
                    vol.Required("plates"): selector.TextSelector(
                        selector.TextSelectorConfig(multiline=True)
                    ),
                    vol.Required(
                        "group", default=next(iter(store.lists.groups), "")
                    ): self._group_selector(store),
                }
            ),
            errors=errors,
        )

    async def async_step_paste_result(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Say how many pasted plates were added and which rows were rejected."""
        if user_input is not None or self._paste_summary is None:
            self._paste_summary = None
            return await self.async_step_lists()
        return self.async_show_form(
            step_id="paste_result",
            data_schema=vol.Schema({}),
            description_placeholders=self._paste_summary,
        )
