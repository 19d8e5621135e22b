// Shared look (Home Assistant theme variables, so light and dark themes follow the user),
// navigation and small elements of the panel and the card.
import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { en, fmt } from "./strings";
import {
  formatAbsolute,
  formatConfidence,
  formatDwell,
  formatRelative,
  languageOf,
  timeZoneOf,
} from "./logic";
import type { HassLike, Sighting } from "./types";

export const PANEL_PATH = "/anpr";

/** Navigate inside Home Assistant's frontend (it listens for `location-changed`). */
export function navigate(path: string): void {
  history.pushState(null, "", path);
  window.dispatchEvent(new CustomEvent("location-changed", { detail: { replace: false } }));
}

/** Download text as a file (CSV exports). */
export function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export const theme = css`
  :host {
    --anpr-gap: 12px;
    --anpr-radius: var(--ha-card-border-radius, 12px);
    --anpr-bg: var(--card-background-color, var(--ha-card-background, #fff));
    --anpr-text: var(--primary-text-color, #212121);
    --anpr-muted: var(--secondary-text-color, #727272);
    --anpr-divider: var(--divider-color, rgba(0, 0, 0, 0.12));
    --anpr-primary: var(--primary-color, #03a9f4);
    --anpr-on-primary: var(--text-primary-color, #fff);
    --anpr-known: var(--success-color, #43a047);
    --anpr-unknown: var(--info-color, #039be5);
    --anpr-alert: var(--error-color, #db4437);
    --anpr-ignored: var(--disabled-text-color, #9e9e9e);
    color: var(--anpr-text);
    font-family: var(--paper-font-body1_-_font-family, var(--ha-font-family-body, Roboto, sans-serif));
  }
  .plate {
    font-family: "DejaVu Sans Mono", "Roboto Mono", ui-monospace, monospace;
    font-weight: 700;
    letter-spacing: 0.06em;
    font-size: 1.25rem;
    padding: 2px 8px;
    border-radius: 4px;
    background: #ffd400;
    color: #111;
    border: 1px solid #111;
    white-space: nowrap;
  }
  .badge {
    display: inline-block;
    padding: 1px 8px;
    border-radius: 10px;
    font-size: 0.8rem;
    color: #fff;
    background: var(--anpr-unknown);
    white-space: nowrap;
  }
  .badge.known { background: var(--anpr-known); }
  .badge.alert { background: var(--anpr-alert); }
  .badge.ignored { background: var(--anpr-ignored); }
  .badge.visitor {
    background: transparent;
    color: var(--anpr-text);
    border: 1px solid var(--anpr-divider);
  }
  .badge.visitor.first_time { border-color: var(--anpr-primary); color: var(--anpr-primary); }
  .muted { color: var(--anpr-muted); }
  button, .button {
    font: inherit;
    cursor: pointer;
    border: 1px solid var(--anpr-primary);
    color: var(--anpr-primary);
    background: transparent;
    padding: 6px 12px;
    border-radius: 18px;
    text-decoration: none;
    display: inline-block;
  }
  button.primary { background: var(--anpr-primary); color: var(--anpr-on-primary); }
  button.danger { border-color: var(--anpr-alert); color: var(--anpr-alert); }
  button:disabled { opacity: 0.5; cursor: default; }
  button:focus-visible, a:focus-visible, input:focus-visible, select:focus-visible,
  textarea:focus-visible {
    outline: 2px solid var(--anpr-primary);
    outline-offset: 2px;
  }
  input, select, textarea {
    font: inherit;
    color: var(--anpr-text);
    background: var(--input-fill-color, var(--secondary-background-color, #f5f5f5));
    border: 1px solid var(--anpr-divider);
    border-radius: 6px;
    padding: 6px 8px;
    box-sizing: border-box;
  }
  label { display: flex; flex-direction: column; gap: 4px; font-size: 0.85rem; }
  .card {
    background: var(--anpr-bg);
    border-radius: var(--anpr-radius);
    box-shadow: var(--ha-card-box-shadow, none);
    border: 1px solid var(--anpr-divider);
    padding: var(--anpr-gap);
  }
  .error { color: var(--anpr-alert); }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--anpr-divider); }
  th { font-weight: 500; color: var(--anpr-muted); font-size: 0.85rem; }
`;

/** `<anpr-thumb>`: a sighting's picture, or a placeholder (never a broken image). */
export class AnprThumb extends LitElement {
  static override properties = {
    src: { type: String },
    label: { type: String },
    full: { type: Boolean },
    failed: { state: true },
  };
  src: string | null = null;
  label = "";
  full = false;
  failed = false;

  static override styles = css`
    :host { display: block; }
    img, .placeholder {
      display: block;
      width: 100%;
      aspect-ratio: 4 / 3;
      object-fit: cover;
      border-radius: 6px;
      background: var(--secondary-background-color, #eee);
    }
    :host([full]) img { aspect-ratio: auto; object-fit: contain; max-height: 70vh; }
    .placeholder {
      display: flex;
      align-items: center;
      justify-content: center;
      color: var(--secondary-text-color, #727272);
      font-size: 0.75rem;
    }
    svg { width: 40%; height: 40%; fill: currentColor; opacity: 0.6; }
  `;

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has("src")) this.failed = false;
  }

  override render() {
    if (!this.src || this.failed) {
      return html`<div class="placeholder" role="img" aria-label=${en.noPicture}>
        <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M5 11l1.5-4.5h11L19 11m-1.5 5a1.5 1.5 0 1 1 0-3 1.5 1.5 0 0 1 0 3m-11 0a1.5 1.5 0 1 1 0-3 1.5 1.5 0 0 1 0 3M18.9 6c-.2-.6-.8-1-1.4-1h-11c-.7 0-1.2.4-1.4 1L3 12v8a1 1 0 0 0 1 1h1a1 1 0 0 0 1-1v-1h12v1a1 1 0 0 0 1 1h1a1 1 0 0 0 1-1v-8z"/></svg>
      </div>`;
    }
    return html`<img
      src=${this.src}
      alt=${this.label}
      loading="lazy"
      decoding="async"
      @error=${() => (this.failed = true)}
    />`;
  }
}

/** One sighting as a compact row (the panel's list and the card). */
export function sightingRow(
  hass: HassLike,
  row: Sighting,
  now: number,
  options: { compact?: boolean } = {},
) {
  const language = languageOf(hass);
  const zone = timeZoneOf(hass);
  const absolute = formatAbsolute(row.time, language, zone);
  const href = `${PANEL_PATH}/sighting/${row.id}`;
  const open = (ev: MouseEvent) => {
    if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
    ev.preventDefault();
    navigate(href);
  };
  return html`<a
    class="row ${options.compact ? "compact" : ""}"
    href=${href}
    @click=${open}
    data-sighting=${row.id}
    aria-label="${row.plate}, ${row.camera ?? ""}, ${absolute}"
  >
    <anpr-thumb .src=${row.thumbnail} .label=${fmt(en.pictureOf, { plate: row.plate })}></anpr-thumb>
    <div class="main">
      <div class="line1">
        <span class="plate">${row.plate}</span>
        ${row.reads > 1
          ? html`<span class="muted" title=${fmt(en.readsMerged, { n: row.reads })}>×${row.reads}</span>`
          : nothing}
        <span class="badge ${row.status}">${en.status[row.status] ?? row.status}${row.list &&
          row.status !== "unknown"
            ? html` · ${row.list}`
            : nothing}</span>
        ${visitorBadge(row.visitor_class)}
      </div>
      <div class="line2 muted">
        <time datetime=${row.time} title=${absolute}>${formatRelative(row.time, now, language)}</time>
        · ${row.camera ?? row.camera_id}
        ${row.direction && row.direction !== "unknown"
          ? html`· ${en.direction[row.direction] ?? row.direction}`
          : nothing}
        ${row.confidence !== null ? html`· ${formatConfidence(row.confidence)}` : nothing}
        ${row.dwell_s !== null && row.dwell_s !== undefined
          ? html`· ${fmt(en.dwellOnSite, { dwell: formatDwell(row.dwell_s, language) })}`
          : nothing}
      </div>
      ${row.description && !options.compact
        ? html`<div class="line3">${row.description}</div>`
        : nothing}
      ${options.compact ? nothing : html`<div class="abs muted">${absolute}</div>`}
    </div>
  </a>`;
}

/** The visitor-class badge of a sighting (nothing when the class is unknown). */
export function visitorBadge(visitorClass: string | null | undefined) {
  if (!visitorClass) return nothing;
  const name = en.visitorClass[visitorClass] ?? visitorClass;
  return html`<span class="badge visitor ${visitorClass}" title=${fmt(en.visitorClassLabel, { name })}
    >${name}</span>`;
}

export const rowStyles = css`
  .row {
    display: grid;
    grid-template-columns: 128px 1fr;
    gap: var(--anpr-gap);
    align-items: center;
    padding: 8px;
    color: inherit;
    text-decoration: none;
    border-bottom: 1px solid var(--anpr-divider);
  }
  .row:hover { background: var(--secondary-background-color, rgba(0, 0, 0, 0.04)); }
  .row.compact { grid-template-columns: 88px 1fr; padding: 6px 0; }
  .main { display: flex; flex-direction: column; gap: 4px; min-width: 0; }
  .line1 { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
  .line2, .abs { font-size: 0.85rem; }
  .line3 { font-size: 0.9rem; }
`;


/** Define a custom element unless a copy of this module already did (panel + dashboard). */
export function define(name: string, element: CustomElementConstructor): void {
  if (!customElements.get(name)) customElements.define(name, element);
}

define("anpr-thumb", AnprThumb);
