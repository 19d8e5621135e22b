import { describe, expect, it } from "vitest";
import {
  EMPTY_FORM,
  applyLive,
  cardFilters,
  compareSightings,
  exportName,
  formFromQuery,
  formToFilters,
  formToQuery,
  formatAbsolute,
  formatConfidence,
  formatDwell,
  formatHour,
  formatRelative,
  hourBars,
  localToIso,
  normaliseCardConfig,
  parseRoute,
  splitList,
  timeZoneOf,
} from "../src/logic";
import { en, fmt } from "../src/strings";
import type { Sighting } from "../src/types";

function sighting(id: number, time: string, extra: Partial<Sighting> = {}): Sighting {
  return {
    id, time, plate: `P${id}`, read_plate: null, camera_id: "c", camera: "Drive", status: "unknown",
    category: null, list: null, direction: "in", confidence: null, reads: 1, description: null,
    thumbnail: null, picture: null, visit_id: null, visitor_class: null, dwell_s: null, ...extra,
  };
}

describe("filters", () => {
  it("sends only what is set", () => {
    expect(formToFilters(EMPTY_FORM)).toEqual({});
    expect(formToFilters({ ...EMPTY_FORM, plate: "  ab12 ", camera: "x", status: "known",
      list: "Allowed", direction: "out" })).toEqual({
      plate: "ab12", cameras: ["x"], statuses: ["known"], lists: ["Allowed"], directions: ["out"],
    });
  });
  it("maps the plate match choices", () => {
    expect(formToFilters({ ...EMPTY_FORM, plate: "AB", match: "prefix" }).plate_match).toBe("prefix");
    expect(formToFilters({ ...EMPTY_FORM, plate: "AB", match: "fuzzy1" })).toMatchObject({ plate_match: "fuzzy", distance: 1 });
    expect(formToFilters({ ...EMPTY_FORM, plate: "AB", match: "fuzzy2" })).toMatchObject({ plate_match: "fuzzy", distance: 2 });
    expect(formToFilters({ ...EMPTY_FORM, match: "fuzzy2" })).toEqual({});
    expect(formToFilters({ ...EMPTY_FORM, plate: "A".repeat(40) }).plate).toHaveLength(20);
  });
  it("turns local times into UTC ISO with an offset", () => {
    const iso = localToIso("2025-06-03T08:00");
    expect(iso).toBe(new Date("2025-06-03T08:00").toISOString());
    expect(localToIso("")).toBeUndefined();
    expect(localToIso("garbage")).toBeUndefined();
    const filters = formToFilters({ ...EMPTY_FORM, from: "2025-06-03T08:00", to: "2025-06-03T09:00" });
    expect(Date.parse(filters.end!) - Date.parse(filters.start!)).toBe(3600_000);
  });
  it("round-trips through the URL", () => {
    const form = { ...EMPTY_FORM, plate: "AB12", match: "prefix" as const, status: "alert" };
    const query = formToQuery(form);
    expect(query).toBe("?plate=AB12&match=prefix&status=alert");
    expect(formFromQuery(query)).toEqual(form);
    expect(formToQuery(EMPTY_FORM)).toBe("");
    expect(formFromQuery("?match=evil&plate=" + "x".repeat(300)).match).toBe("exact");
    expect(formFromQuery("?plate=" + "x".repeat(300)).plate).toHaveLength(100);
  });
});

describe("routes", () => {
  it("parses views", () => {
    expect(parseRoute("")).toEqual({ view: "sightings" });
    expect(parseRoute("/sightings")).toEqual({ view: "sightings" });
    expect(parseRoute("/sighting/42")).toEqual({ view: "sighting", id: 42 });
    expect(parseRoute("/sighting/abc")).toEqual({ view: "sightings" });
    expect(parseRoute("/lists")).toEqual({ view: "lists" });
    expect(parseRoute("/vehicles/")).toEqual({ view: "vehicles" });
    expect(parseRoute("/cameras")).toEqual({ view: "cameras" });
    expect(parseRoute("/nope")).toEqual({ view: "sightings" });
  });
});

describe("live rows", () => {
  const rows = [sighting(3, "2025-06-03T10:00:00+00:00"), sighting(1, "2025-06-03T09:00:00+00:00")];
  it("adds new sightings in keyset order", () => {
    const added = applyLive(rows, { api_version: 1, event: "added", sighting: sighting(4, "2025-06-03T11:00:00+00:00") });
    expect(added.map((r) => r.id)).toEqual([4, 3, 1]);
    const late = applyLive(rows, { api_version: 1, event: "added", sighting: sighting(2, "2025-06-03T09:30:00+00:00") });
    expect(late.map((r) => r.id)).toEqual([3, 2, 1]);
    const capped = applyLive(rows, { api_version: 1, event: "added", sighting: sighting(5, "2025-06-03T12:00:00+00:00") }, 2);
    expect(capped.map((r) => r.id)).toEqual([5, 3]);
  });
  it("replaces updated sightings and ignores unknown updates", () => {
    const thumb = sighting(3, "2025-06-03T10:00:00+00:00", { thumbnail: "/t", reads: 2 });
    const updated = applyLive(rows, { api_version: 1, event: "updated", sighting: thumb });
    expect(updated[0].thumbnail).toBe("/t");
    expect(updated).not.toBe(rows);
    const other = applyLive(rows, { api_version: 1, event: "updated", sighting: sighting(9, "2025-06-03T10:00:00+00:00") });
    expect(other).toBe(rows);
    const again = applyLive(rows, { api_version: 1, event: "added", sighting: rows[0] });
    expect(again.map((r) => r.id)).toEqual([3, 1]);
  });
  it("breaks time ties by id", () => {
    const a = sighting(1, "2025-06-03T10:00:00Z");
    const b = sighting(2, "2025-06-03T10:00:00Z");
    expect([a, b].sort(compareSightings).map((r) => r.id)).toEqual([2, 1]);
  });
});

describe("formatting", () => {
  const now = Date.parse("2025-06-03T10:00:00Z");
  it("relative times", () => {
    expect(formatRelative("2025-06-03T09:55:00Z", now)).toBe("5 minutes ago");
    expect(formatRelative("2025-06-03T10:00:00Z", now)).toBe("now");
    expect(formatRelative("2025-06-02T10:00:00Z", now)).toBe("yesterday");
    expect(formatRelative("2025-06-03T10:00:02Z", now)).toBe("in 2 seconds");
  });
  it("absolute times in the chosen zone", () => {
    expect(formatAbsolute("2025-06-03T09:30:00Z", "en-GB", "Europe/London")).toBe("3 Jun 2025, 10:30:00");
    expect(formatAbsolute("2025-06-03T09:30:00Z", "en-GB", "UTC")).toBe("3 Jun 2025, 09:30:00");
  });
  it("time zone follows the user's profile choice", () => {
    expect(timeZoneOf({ locale: { time_zone: "server" }, config: { time_zone: "Europe/London" } })).toBe("Europe/London");
    expect(timeZoneOf({ locale: { time_zone: "local" }, config: { time_zone: "Europe/London" } })).toBeUndefined();
  });
  it("confidence, hour bars, lists, names, strings", () => {
    expect(formatConfidence(0.934)).toBe("93 %");
    expect(formatConfidence(null)).toBe("");
    expect(hourBars([0, 2, 4])).toEqual([0, 0.5, 1]);
    expect(hourBars(new Array(24).fill(0))).toEqual(new Array(24).fill(0));
    expect(splitList("AB1, AB2;AB1\n ,AB3")).toEqual(["AB1", "AB2", "AB3"]);
    expect(exportName("sightings", new Date("2025-06-03T10:00:00Z"))).toBe("anpr-sightings-2025-06-03.csv");
    expect(fmt(en.actions.purgeConfirm, { plate: "AB12CDE" })).toContain("AB12CDE");
    expect(fmt("{a} {b}", { a: 1 })).toBe("1 {b}");
  });
});

describe("card config", () => {
  it("applies defaults and clamps", () => {
    expect(normaliseCardConfig({})).toEqual({ type: "custom:anpr-sightings-card", title: undefined, count: 5, cameras: [], statuses: [] });
    expect(normaliseCardConfig({ count: 500 }).count).toBe(50);
    expect(normaliseCardConfig({ count: 0 }).count).toBe(1);
    expect(normaliseCardConfig({ count: "many" }).count).toBe(5);
    const config = normaliseCardConfig({ cameras: ["a", 3], statuses: ["known", "friendly"], title: "Gate" });
    expect(config).toMatchObject({ cameras: ["a"], statuses: ["known"], title: "Gate" });
    expect(cardFilters(config)).toEqual({ cameras: ["a"], statuses: ["known"] });
    expect(cardFilters(normaliseCardConfig({}))).toEqual({});
  });
});

describe("visits", () => {
  it("formats a dwell time with its two largest units", () => {
    expect(formatDwell(88 * 60)).toBe("1 hr, 28 min");
    expect(formatDwell(45 * 60)).toBe("45 min");
    expect(formatDwell(30)).toBe("30 sec");
    expect(formatDwell(0)).toBe("0 sec");
    expect(formatDwell(2 * 86400 + 3 * 3600 + 59)).toBe("2 days, 3 hr");
    expect(formatDwell(3600.4)).toBe("1 hr");
    expect(formatDwell(null)).toBe("");
    expect(formatDwell(-5)).toBe("");
    expect(formatDwell(Number.NaN)).toBe("");
    expect(formatDwell(90, "de")).toBe("1 Min., 30 Sek.");
  });

  it("formats the usual arrival hour in the user's language", () => {
    expect(formatHour(9, "en-GB")).toBe("09:00");
    expect(formatHour(0, "en-GB")).toBe("00:00");
    expect(formatHour(17, "en-US")).toBe("5:00 PM");
  });

  it("has an English name for every visitor class and visit status", () => {
    for (const name of ["first_time", "daily", "weekly", "occasional", "rare"]) {
      expect(en.visitorClass[name]).toBeTruthy();
    }
    for (const status of ["open", "closed", "no_exit", "exit_only"]) {
      expect(en.visit.statuses[status]).toBeTruthy();
    }
    expect(fmt(en.dwellOnSite, { dwell: formatDwell(60) })).toBe("1 min on site");
  });

  it("keeps the visit fields of a live update", () => {
    const rows = [sighting(1, "2025-06-03T09:00:00Z")];
    const updated = sighting(1, "2025-06-03T09:00:00Z", {
      visit_id: "v1", visitor_class: "weekly", dwell_s: 60,
    });
    const next = applyLive(rows, { api_version: 1, event: "updated", sighting: updated });
    expect(next[0]).toMatchObject({ visit_id: "v1", visitor_class: "weekly", dwell_s: 60 });
  });
});
