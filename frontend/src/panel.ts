// `<anpr-panel>`: the ANPR sidebar panel (registered with panel_custom). Home Assistant sets
// `hass`, `narrow`, `route` and `panel` on it.
import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { AnprApi, errorText } from "./api";
import { en, fmt } from "./strings";
import { formFromQuery, parseRoute, type View } from "./logic";
import { PANEL_PATH, define, navigate, theme } from "./shared";
import type { HassLike, Info } from "./types";
import "./sightings";
import "./lists";

const TABS: [View, string][] = [
  ["sightings", en.tabs.sightings],
  ["lists", en.tabs.lists],
  ["vehicles", en.tabs.vehicles],
  ["cameras", en.tabs.cameras],
];

export class AnprPanel extends LitElement {
  static override properties = {
    hass: { attribute: false },
    narrow: { type: Boolean, reflect: true },
    route: { attribute: false },
    panel: { attribute: false },
    info: { state: true },
    error: { state: true },
  };
  hass!: HassLike;
  narrow = false;
  route?: { prefix: string; path: string };
  panel?: unknown;
  info?: Info;
  error = "";
  private api?: AnprApi;
  private connectionOf?: unknown;

  static override styles = [
    theme,
    css`
      :host {
        display: block;
        min-height: 100vh;
        background: var(--primary-background-color, #fafafa);
      }
      header {
        display: flex;
        align-items: center;
        gap: 8px;
        padding: 0 12px;
        height: 56px;
        background: var(--app-header-background-color, var(--primary-color, #03a9f4));
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        position: sticky;
        top: 0;
        z-index: 2;
      }
      header h1 { font-size: 1.25rem; font-weight: 400; margin: 0 12px 0 0; }
      .menu { border: none; color: inherit; padding: 8px; border-radius: 50%; display: none; }
      :host([narrow]) .menu { display: inline-flex; }
      .menu svg { width: 24px; height: 24px; fill: currentColor; }
      nav { display: flex; gap: 4px; overflow-x: auto; height: 100%; }
      nav a {
        color: inherit;
        text-decoration: none;
        padding: 0 12px;
        display: flex;
        align-items: center;
        border-bottom: 2px solid transparent;
        opacity: 0.8;
        white-space: nowrap;
      }
      nav a[aria-selected="true"] { border-bottom-color: currentColor; opacity: 1; }
      main { padding: 16px; max-width: 1200px; margin: 0 auto; }
      :host([narrow]) main { padding: 8px; }
      :host([narrow]) header h1 { display: none; }
    `,
  ];

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has("hass") && this.hass) {
      // A new websocket connection (reconnect, other user) gets a new API client.
      if (this.connectionOf !== this.hass.connection) {
        this.connectionOf = this.hass.connection;
        this.api = new AnprApi(this.hass);
        this.loadInfo();
      }
    }
  }

  async loadInfo(): Promise<void> {
    try {
      this.info = await this.api!.info();
      this.error = "";
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private get view(): { view: View; id?: number } {
    return parseRoute(this.route?.path ?? "");
  }

  private onTabKey(ev: KeyboardEvent): void {
    const keys = ["ArrowLeft", "ArrowRight"];
    if (!keys.includes(ev.key)) return;
    const links = [...this.renderRoot.querySelectorAll<HTMLAnchorElement>("nav a")];
    const index = links.indexOf(ev.target as HTMLAnchorElement);
    const next = links[(index + (ev.key === "ArrowRight" ? 1 : links.length - 1)) % links.length];
    next?.focus();
  }

  private content() {
    if (this.error) {
      return html`<p class="error" role="alert">${fmt(en.error, { error: this.error })}
        <button @click=${() => this.loadInfo()}>${en.retry}</button></p>`;
    }
    if (!this.info || !this.api) return html`<p class="muted">${en.loading}</p>`;
    const { view, id } = this.view;
    const common = { hass: this.hass, api: this.api, info: this.info };
    switch (view) {
      case "sighting":
        return html`<anpr-sighting-detail .hass=${common.hass} .api=${common.api} .info=${common.info}
          .sightingId=${id ?? 0} ?narrow=${this.narrow}></anpr-sighting-detail>`;
      case "lists":
        return html`<anpr-lists-view .hass=${common.hass} .api=${common.api} .info=${common.info}
          ?narrow=${this.narrow}></anpr-lists-view>`;
      case "vehicles":
        return html`<anpr-vehicles-view .hass=${common.hass} .api=${common.api}
          ?narrow=${this.narrow}></anpr-vehicles-view>`;
      case "cameras":
        return html`<anpr-cameras-view .hass=${common.hass} .api=${common.api}
          ?narrow=${this.narrow}></anpr-cameras-view>`;
      default:
        return html`<anpr-sightings-view .hass=${common.hass} .api=${common.api} .info=${common.info}
          .form=${formFromQuery(location.search)} ?narrow=${this.narrow}></anpr-sightings-view>`;
    }
  }

  override render() {
    const current = this.view.view === "sighting" ? "sightings" : this.view.view;
    return html`
      <header>
        <button class="menu" aria-label=${en.menu}
          @click=${() => this.dispatchEvent(new CustomEvent("hass-toggle-menu", { bubbles: true, composed: true }))}>
          <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3 6h18v2H3zm0 5h18v2H3zm0 5h18v2H3z"/></svg>
        </button>
        <h1>${en.title}</h1>
        <nav role="tablist" @keydown=${this.onTabKey}>
          ${TABS.map(
            ([view, label]) => html`<a role="tab" href="${PANEL_PATH}/${view}"
              aria-selected=${current === view ? "true" : "false"}
              tabindex=${current === view ? "0" : "-1"}
              @click=${(ev: Event) => { ev.preventDefault(); navigate(`${PANEL_PATH}/${view}`); }}>${label}</a>`,
          )}
        </nav>
      </header>
      <main>${this.content()}</main>
      ${nothing}
    `;
  }
}

define("anpr-panel", AnprPanel);
