// `custom:anpr-sightings-card`: the last N sightings with thumbnails for chosen cameras and
// statuses; a click opens the sighting in the ANPR panel. Has a visual editor and a card
// picker entry with a preview.
import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { AnprApi, errorText } from "./api";
import { en, fmt } from "./strings";
import { applyLive, cardFilters, normaliseCardConfig, type CardConfig } from "./logic";
import { define, rowStyles, sightingRow, theme } from "./shared";
import type { HassLike, Info, Sighting } from "./types";

export class AnprSightingsCard extends LitElement {
  static override properties = {
    hass: { attribute: false },
    config: { state: true },
    rows: { state: true },
    error: { state: true },
    now: { state: true },
  };
  hass?: HassLike;
  config: CardConfig = normaliseCardConfig({});
  rows?: Sighting[];
  error = "";
  now = Date.now();
  private unsubscribe?: Promise<() => Promise<void>>;
  private subscribedWith = "";
  private connectionOf?: unknown;
  private clock?: number;

  static override styles = [
    theme,
    rowStyles,
    css`
      :host { display: block; }
      .card { padding: 12px 16px; }
      h1 { font-size: 1.2rem; font-weight: 400; margin: 0 0 8px; }
    `,
  ];

  static getConfigElement(): HTMLElement {
    return document.createElement("anpr-sightings-card-editor");
  }

  static getStubConfig(): Record<string, unknown> {
    return { count: 5 };
  }

  setConfig(config: Record<string, unknown>): void {
    this.config = normaliseCardConfig(config ?? {});
  }

  getCardSize(): number {
    return 1 + this.config.count;
  }

  getGridOptions(): Record<string, number> {
    return { columns: 12, min_columns: 6, rows: Math.min(12, 1 + this.config.count * 2) };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.clock = window.setInterval(() => (this.now = Date.now()), 30000);
    this.subscribedWith = "";
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearInterval(this.clock);
    this.stop();
  }

  private stop(): void {
    const pending = this.unsubscribe;
    this.unsubscribe = undefined;
    this.subscribedWith = "";
    pending?.then((unsub) => unsub()).catch(() => undefined);
  }

  protected override willUpdate(_changed: PropertyValues): void {
    if (!this.hass || !this.isConnected) return;
    const key = JSON.stringify(cardFilters(this.config)) + this.config.count;
    if (key === this.subscribedWith && this.connectionOf === this.hass.connection) return;
    this.stop();
    this.subscribedWith = key;
    this.connectionOf = this.hass.connection;
    this.start();
  }

  private async start(): Promise<void> {
    const api = new AnprApi(this.hass!);
    const filters = cardFilters(this.config);
    const count = this.config.count;
    const key = this.subscribedWith;
    try {
      this.unsubscribe = api.subscribe(filters, (event) => {
        if (this.rows) this.rows = applyLive(this.rows, event, count);
      });
      await this.unsubscribe;
      const page = await api.sightings(filters, null, count);
      if (key === this.subscribedWith) {
        this.rows = page.sightings;
        this.error = "";
      }
    } catch (err) {
      this.error = errorText(err);
    }
  }

  override render() {
    const title = this.config.title ?? en.card.defaultTitle;
    return html`<ha-card>
      <div class="card">
        ${title ? html`<h1>${title}</h1>` : nothing}
        ${this.error
          ? html`<p class="error" role="alert">${fmt(en.error, { error: this.error })}</p>`
          : !this.rows || !this.hass
            ? html`<p class="muted">${en.loading}</p>`
            : this.rows.length
              ? html`<div role="list">${this.rows.map(
                  (row) => html`<div role="listitem">${sightingRow(this.hass!, row, this.now, { compact: true })}</div>`,
                )}</div>`
              : html`<p class="muted">${en.noSightings}</p>`}
      </div>
    </ha-card>`;
  }
}

/** Visual editor: title, number of sightings, cameras and statuses. */
export class AnprSightingsCardEditor extends LitElement {
  static override properties = {
    hass: { attribute: false },
    config: { state: true },
    info: { state: true },
  };
  hass?: HassLike;
  config: CardConfig = normaliseCardConfig({});
  info?: Info;
  private raw: Record<string, unknown> = {};

  static override styles = [
    theme,
    css`
      :host { display: grid; gap: 12px; }
      fieldset { border: 1px solid var(--anpr-divider); border-radius: 6px; display: flex; flex-wrap: wrap; gap: 8px 16px; }
      fieldset label { flex-direction: row; align-items: center; gap: 6px; font-size: 0.95rem; }
    `,
  ];

  setConfig(config: Record<string, unknown>): void {
    this.raw = { ...config };
    this.config = normaliseCardConfig(config);
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has("hass") && this.hass && !this.info) {
      new AnprApi(this.hass).info().then((info) => (this.info = info)).catch(() => undefined);
    }
  }

  private change(update: Record<string, unknown>): void {
    const next: Record<string, unknown> = { ...this.raw, ...update };
    for (const [key, value] of Object.entries(update)) {
      if (value === undefined || (Array.isArray(value) && !value.length) || value === "") delete next[key];
    }
    this.raw = next;
    this.config = normaliseCardConfig(next);
    this.dispatchEvent(new CustomEvent("config-changed", { detail: { config: next }, bubbles: true, composed: true }));
  }

  private toggle(key: "cameras" | "statuses", value: string, on: boolean): void {
    const current = new Set(this.config[key]);
    if (on) current.add(value);
    else current.delete(value);
    this.change({ [key]: [...current] });
  }

  override render() {
    const c = en.card;
    return html`
      <label>${c.title}<input .value=${this.config.title ?? ""} maxlength="60"
        @change=${(ev: Event) => this.change({ title: (ev.target as HTMLInputElement).value })} /></label>
      <label>${c.count}<input type="number" min="1" max="50" .value=${String(this.config.count)}
        @change=${(ev: Event) => this.change({ count: Number((ev.target as HTMLInputElement).value) })} /></label>
      <fieldset><legend>${c.cameras}</legend>
        ${(this.info?.cameras ?? []).map((cam) => html`<label><input type="checkbox" .checked=${this.config.cameras.includes(cam.id)}
          @change=${(ev: Event) => this.toggle("cameras", cam.id, (ev.target as HTMLInputElement).checked)} />${cam.name}</label>`)}
      </fieldset>
      <fieldset><legend>${c.statuses}</legend>
        ${["known", "unknown", "alert", "ignored"].map((status) => html`<label><input type="checkbox" .checked=${this.config.statuses.includes(status)}
          @change=${(ev: Event) => this.toggle("statuses", status, (ev.target as HTMLInputElement).checked)} />${en.status[status]}</label>`)}
      </fieldset>
    `;
  }
}

define("anpr-sightings-card", AnprSightingsCard);
define("anpr-sightings-card-editor", AnprSightingsCardEditor);

interface CustomCardEntry {
  type: string;
  name: string;
  description: string;
  preview: boolean;
  documentationURL?: string;
}
const registry = window as unknown as { customCards?: CustomCardEntry[] };
registry.customCards = registry.customCards ?? [];
if (!registry.customCards.some((card) => card.type === "anpr-sightings-card")) {
  registry.customCards.push({
    type: "anpr-sightings-card",
    name: en.card.name,
    description: en.card.description,
    preview: true,
    documentationURL: "https://github.com/anpr-dev/anpr#dashboard-card",
  });
}
