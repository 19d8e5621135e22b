// Pure logic of the panel and the card (no DOM, no Lit): unit-tested with vitest.
import type { Filters, HassLike, LiveEvent, Sighting } from "./types";

/** What the filter bar holds (strings straight from the form controls). */
export interface FilterForm {
  plate: string;
  match: "exact" | "prefix" | "fuzzy1" | "fuzzy2";
  camera: string;
  status: string;
  list: string;
  direction: string;
  /** `<input type="datetime-local">` values (the browser's local time) or "". */
  from: string;
  to: string;
}

export const EMPTY_FORM: FilterForm = {
  plate: "",
  match: "exact",
  camera: "",
  status: "",
  list: "",
  direction: "",
  from: "",
  to: "",
};

/** Local `YYYY-MM-DDTHH:MM` -> ISO 8601 in UTC (the API needs an offset); "" -> undefined. */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The websocket filters of a filter form (only what is set). */
export function formToFilters(form: FilterForm): Filters {
  const filters: Filters = {};
  const plate = form.plate.trim();
  if (plate) {
    filters.plate = plate.slice(0, 20);
    if (form.match === "prefix") filters.plate_match = "prefix";
    else if (form.match === "fuzzy1" || form.match === "fuzzy2") {
      filters.plate_match = "fuzzy";
      filters.distance = form.match === "fuzzy2" ? 2 : 1;
    }
  }
  if (form.camera) filters.cameras = [form.camera];
  if (form.status) filters.statuses = [form.status];
  if (form.list) filters.lists = [form.list];
  if (form.direction) filters.directions = [form.direction];
  const start = localToIso(form.from);
  const end = localToIso(form.to);
  if (start) filters.start = start;
  if (end) filters.end = end;
  return filters;
}

const FORM_KEYS = Object.keys(EMPTY_FORM) as (keyof FilterForm)[];

/** A filter form from the panel URL's query string (unknown keys ignored). */
export function formFromQuery(search: string): FilterForm {
  const params = new URLSearchParams(search);
  const form: FilterForm = { ...EMPTY_FORM };
  for (const key of FORM_KEYS) {
    const value = params.get(key);
    if (value !== null) (form as unknown as Record<string, string>)[key] = value.slice(0, 100);
  }
  if (!["exact", "prefix", "fuzzy1", "fuzzy2"].includes(form.match)) form.match = "exact";
  return form;
}

/** The query string of a filter form (empty fields left out), "" when nothing is set. */
export function formToQuery(form: FilterForm): string {
  const params = new URLSearchParams();
  for (const key of FORM_KEYS) {
    const value = form[key];
    if (value && !(key === "match" && value === "exact")) params.set(key, value);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

export type View = "sightings" | "sighting" | "lists" | "vehicles" | "cameras";

/** The panel view of a route path below the panel's URL (`/sighting/12`, `/lists`, ...). */
export function parseRoute(path: string): { view: View; id?: number } {
  const parts = path.split("/").filter(Boolean);
  if (parts[0] === "sighting" && parts[1] && /^\d{1,16}$/.test(parts[1])) {
    return { view: "sighting", id: Number(parts[1]) };
  }
  if (parts[0] === "lists" || parts[0] === "vehicles" || parts[0] === "cameras") {
    return { view: parts[0] };
  }
  return { view: "sightings" };
}

/** Newest first: by time, then by id (the API's keyset order). */
export function compareSightings(a: Sighting, b: Sighting): number {
  const ta = Date.parse(a.time);
  const tb = Date.parse(b.time);
  return tb - ta || b.id - a.id;
}

/** Apply a live event to the rows on screen: add a new row in order, replace an updated one. */
export function applyLive(rows: Sighting[], event: LiveEvent, limit?: number): Sighting[] {
  const index = rows.findIndex((row) => row.id === event.sighting.id);
  if (index >= 0) {
    const next = rows.slice();
    next[index] = event.sighting;
    return next;
  }
  if (event.event !== "added") return rows;
  const next = [event.sighting, ...rows].sort(compareSightings);
  return limit !== undefined ? next.slice(0, limit) : next;
}

/** The time zone to show times in: the server's when the user chose it, else the browser's. */
export function timeZoneOf(hass: Pick<HassLike, "locale" | "config">): string | undefined {
  return hass.locale?.time_zone === "server" ? hass.config?.time_zone : undefined;
}

export function languageOf(hass: Pick<HassLike, "locale" | "language">): string {
  return hass.locale?.language || hass.language || "en";
}

/** "5 minutes ago" (or "in 2 seconds" for clocks slightly ahead). */
export function formatRelative(iso: string, now: number, language = "en"): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["year", 31536000],
    ["month", 2592000],
    ["week", 604800],
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
    ["second", 1],
  ];
  const format = new Intl.RelativeTimeFormat(language, { numeric: "auto" });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size || unit === "second") {
      return format.format(Math.round(seconds / size), unit);
    }
  }
  return format.format(0, "second");
}

/** Date and time in the user's language and time zone, e.g. "3 Jun 2025, 10:30:00". */
export function formatAbsolute(iso: string, language = "en", timeZone?: string): string {
  return new Intl.DateTimeFormat(language, {
    dateStyle: "medium",
    timeStyle: "medium",
    timeZone,
  }).format(new Date(iso));
}

/** "93 %" for 0.93; "" when unknown. */
export function formatConfidence(value: number | null): string {
  return value === null || value === undefined ? "" : `${Math.round(value * 100)} %`;
}

/**
 * A dwell time in the user's language, largest two units: "1 hr, 28 min", "45 min", "30 sec",
 * "2 days, 3 hr" ("" when unknown or negative).
 */
export function formatDwell(seconds: number | null | undefined, language = "en"): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    return "";
  }
  const total = Math.round(seconds);
  const units: [string, number][] = [
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
    ["second", 1],
  ];
  const parts: string[] = [];
  let rest = total;
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    if (count || (unit === "second" && !parts.length)) {
      parts.push(
        new Intl.NumberFormat(language, { style: "unit", unit, unitDisplay: "short" }).format(count),
      );
      rest -= count * size;
    }
    if (parts.length === 2 || (parts.length && !rest)) break;
  }
  return parts.join(", ");
}

/** A local hour of day (0-23) as a time, e.g. "09:00" (en-GB) or "9:00 AM" (en-US). */
export function formatHour(hour: number, language = "en"): string {
  return new Intl.DateTimeFormat(language, { timeStyle: "short", timeZone: "UTC" }).format(new Date(Date.UTC(2000, 0, 1, hour)));
}

/** Bar heights 0..1 of an hour profile (24 counts); all zero stays zero. */
export function hourBars(hours: number[]): number[] {
  const max = Math.max(0, ...hours);
  return hours.map((count) => (max ? count / max : 0));
}

/** Comma- or space-separated plates -> trimmed, unique, non-empty list. */
export function splitList(text: string): string[] {
  return [...new Set(text.split(/[,;\n]/).map((item) => item.trim()).filter(Boolean))];
}

/** File name of a CSV export, e.g. `anpr-sightings-2025-06-03.csv`. */
export function exportName(kind: string, now: Date): string {
  return `anpr-${kind}-${now.toISOString().slice(0, 10)}.csv`;
}

/** Card configuration with defaults applied and values clamped (bad YAML never breaks it). */
export interface CardConfig {
  type: string;
  title?: string;
  count: number;
  cameras: string[];
  statuses: string[];
}

export function normaliseCardConfig(raw: Record<string, unknown>): CardConfig {
  const list = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
  const count = Number(raw.count ?? 5);
  return {
    type: String(raw.type ?? "custom:anpr-sightings-card"),
    title: typeof raw.title === "string" ? raw.title : undefined,
    count: Number.isFinite(count) ? Math.min(50, Math.max(1, Math.round(count))) : 5,
    cameras: list(raw.cameras),
    statuses: list(raw.statuses).filter((s) => ["known", "unknown", "alert", "ignored"].includes(s)),
  };
}

/** The websocket filters of a card configuration. */
export function cardFilters(config: CardConfig): Filters {
  const filters: Filters = {};
  if (config.cameras.length) filters.cameras = config.cameras;
  if (config.statuses.length) filters.statuses = config.statuses;
  return filters;
}
