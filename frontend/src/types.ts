// Types of the websocket API version 1 (custom_components/anpr/websocket_api.py, README
// "Websocket API") and the small part of Home Assistant's frontend objects we use.

export interface Sighting {
  id: number;
  plate: string;
  read_plate: string | null;
  time: string;
  camera_id: string;
  camera: string | null;
  status: "known" | "unknown" | "alert" | "ignored";
  category: string | null;
  list: string | null;
  direction: string | null;
  confidence: number | null;
  reads: number;
  description: string | null;
  thumbnail: string | null;
  picture: string | null;
  /** The sighting's visit (null: pass-by camera, or recorded before visits existed). */
  visit_id: string | null;
  /** The plate's visitor class on the sighting's day (core/visitors.py), or null. */
  visitor_class: VisitorClass | null;
  /** Seconds on site, only on the sighting that closed its visit. */
  dwell_s: number | null;
}

export type VisitorClass = "first_time" | "daily" | "weekly" | "occasional" | "rare";

export interface Visit {
  id: string;
  plate: string;
  status: "open" | "closed" | "no_exit" | "exit_only";
  started: string | null;
  ended: string | null;
  last_seen: string;
  dwell_s: number | null;
  reads: number;
  entry_camera_id: string | null;
  entry_camera: string | null;
  exit_camera_id: string | null;
  exit_camera: string | null;
}

export interface Filters {
  cameras?: string[];
  statuses?: string[];
  lists?: string[];
  directions?: string[];
  start?: string;
  end?: string;
  plate?: string;
  plate_match?: "exact" | "prefix" | "fuzzy";
  distance?: number;
}

export interface Page {
  api_version: number;
  sightings: Sighting[];
  next_cursor: string | null;
}

export interface LiveEvent {
  api_version: number;
  event: "added" | "updated";
  sighting: Sighting;
}

export interface Group {
  id: string;
  name: string;
  category: string;
  priority: string;
  icon: string | null;
  description: string | null;
  vehicles: boolean | null;
}

export interface ListEntry {
  plate: string;
  group: string;
  description: string | null;
  aliases: string[];
  cameras: string[];
  rules: string[];
  validity: string | null;
}

export interface PlateHistory {
  plate: string;
  count: number;
  first_seen: string | null;
  last_seen: string | null;
  last_camera: string | null;
  hours: number[];
  visitor_class: VisitorClass | null;
  /** Usual local arrival hour (0-23, Home Assistant's time zone) or null. */
  usual_hour: number | null;
}

export interface SightingDetail {
  sighting: Sighting;
  /** The sighting's visit, or null when it has none. */
  visit: Visit | null;
  plate: PlateHistory;
  previous: Sighting[];
  list_entries: ListEntry[];
  /** The DVLA answer (UK plates, with a DVLA key) when cached; null otherwise. */
  reginfo?: Record<string, unknown> | null;
}

export interface Info {
  api_version: number;
  admin: boolean;
  entry_id: string;
  statuses: string[];
  directions: string[];
  cameras: { id: string; name: string }[];
  lists: Group[];
  max_page: number;
}

export interface Vehicle {
  plate: string;
  name: string;
  last_seen: string | null;
  last_camera: string | null;
  last_camera_id: string | null;
  direction: string | null;
  present: boolean;
}

export interface CameraSummary {
  id: string;
  name: string;
  kind: string;
  running: boolean;
  connected: boolean | null;
  last_sighting: string | null;
  last_plate: string | null;
  sightings_hour: number;
  sightings_day: number;
  reads: number;
  settings_url: string;
}

export interface HassLike {
  callWS<T>(msg: Record<string, unknown>): Promise<T>;
  connection: {
    subscribeMessage<T>(
      callback: (msg: T) => void,
      msg: Record<string, unknown>,
    ): Promise<() => Promise<void>>;
  };
  user?: { is_admin: boolean; name?: string };
  locale?: { language?: string; time_zone?: string };
  config?: { time_zone?: string };
  language?: string;
  themes?: { darkMode?: boolean };
}
