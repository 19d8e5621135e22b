// Thin typed client of the websocket API version 1 (commands `anpr/v1/*`).
import type {
  CameraSummary,
  Filters,
  HassLike,
  Info,
  ListEntry,
  LiveEvent,
  Page,
  SightingDetail,
  Vehicle,
  Group,
} from "./types";

export interface EntryInput {
  plate: string;
  group: string;
  description?: string | null;
  aliases?: string[];
  cameras?: string[];
  validity?: string | null;
  original_plate?: string;
  original_group?: string;
}

export class AnprApi {
  constructor(private readonly hass: HassLike) {}

  private call<T>(type: string, data: Record<string, unknown> = {}): Promise<T> {
    return this.hass.callWS<T>({ type: `anpr/v1/${type}`, ...data });
  }

  info(): Promise<Info> {
    return this.call("info");
  }

  sightings(filters: Filters, cursor?: string | null, limit = 50): Promise<Page> {
    return this.call("sightings/list", { ...filters, limit, ...(cursor ? { cursor } : {}) });
  }

  /** Live sightings; resolves to the unsubscribe function. */
  subscribe(filters: Filters, callback: (event: LiveEvent) => void): Promise<() => Promise<void>> {
    return this.hass.connection.subscribeMessage<LiveEvent>(callback, {
      type: "anpr/v1/sightings/subscribe",
      ...filters,
    });
  }

  sighting(id: number): Promise<SightingDetail> {
    return this.call("sightings/get", { sighting_id: id });
  }

  lists(): Promise<{ groups: Group[]; entries: ListEntry[]; csv: string }> {
    return this.call("lists/get");
  }

  setEntry(entry: EntryInput): Promise<{ entry: ListEntry }> {
    return this.call("lists/entry/set", { ...entry });
  }

  removeEntry(plate: string, group: string): Promise<{ removed: number }> {
    return this.call("lists/entry/remove", { plate, group });
  }

  importCsv(
    csv: string,
    replace: boolean,
  ): Promise<{ added: number; rejected: { line: number; plate: string; error: string }[] }> {
    return this.call("lists/import", { csv, replace });
  }

  misread(id: number, plate: string): Promise<{ entry: ListEntry }> {
    return this.call("sightings/misread", { sighting_id: id, plate });
  }

  deleteSighting(id: number): Promise<{ deleted: number }> {
    return this.call("sightings/delete", { sighting_id: id });
  }

  purgePlate(plate: string): Promise<{ deleted: number }> {
    return this.call("sightings/purge_plate", { plate });
  }

  exportCsv(filters: Filters): Promise<{ csv: string; rows: number }> {
    return this.call("sightings/export", { ...filters });
  }

  vehicles(): Promise<{ vehicles: Vehicle[] }> {
    return this.call("vehicles");
  }

  cameras(): Promise<{ cameras: CameraSummary[] }> {
    return this.call("cameras");
  }
}

/** The message of a websocket error (or anything thrown). */
export function errorText(err: unknown): string {
  if (err && typeof err === "object" && "message" in err) return String(err.message);
  return String(err);
}
