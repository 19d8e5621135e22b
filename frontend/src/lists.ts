// The Lists view (groups and their plates: add, edit, remove inline, CSV import and export),
// the Vehicles view and the Cameras view.
import { LitElement, css, html, nothing } from "lit";
import { AnprApi, errorText } from "./api";
import { en, fmt } from "./strings";
import { exportName, formatAbsolute, formatRelative, languageOf, splitList, timeZoneOf } from "./logic";
import { define, download, theme } from "./shared";
import type { CameraSummary, Group, HassLike, Info, ListEntry, Vehicle } from "./types";

const viewStyles = css`
  :host { display: block; }
  section { margin-bottom: 12px; }
  h2 { font-size: 1.1rem; margin: 0 0 8px; font-weight: 500; }
  form.entry { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 8px; align-items: end; }
  .actions { display: flex; gap: 8px; flex-wrap: wrap; }
  textarea { width: 100%; min-height: 6em; }
  .scroll { overflow-x: auto; }
  :host([narrow]) .wide { display: none; }
`;

export class AnprListsView extends LitElement {
  static override properties = {
    hass: { attribute: false },
    api: { attribute: false },
    info: { attribute: false },
    narrow: { type: Boolean, reflect: true },
    groups: { state: true },
    entries: { state: true },
    csv: { state: true },
    editing: { state: true },
    error: { state: true },
    result: { state: true },
  };
  hass!: HassLike;
  api!: AnprApi;
  info!: Info;
  narrow = false;
  groups: Group[] = [];
  entries: ListEntry[] = [];
  csv = "";
  editing?: ListEntry;
  error = "";
  result?: { added: number; rejected: { line: number; plate: string; error: string }[] };

  static override styles = [theme, viewStyles];

  override connectedCallback(): void {
    super.connectedCallback();
    this.load();
  }

  async load(): Promise<void> {
    try {
      const lists = await this.api.lists();
      this.groups = lists.groups;
      this.entries = lists.entries;
      this.csv = lists.csv;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private async run(action: () => Promise<unknown>): Promise<void> {
    this.error = "";
    try {
      await action();
      this.editing = undefined;
      await this.load();
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private onSave(ev: Event): void {
    ev.preventDefault();
    const form = ev.target as HTMLFormElement;
    const data = new FormData(form);
    const text = (key: string) => String(data.get(key) ?? "").trim();
    const original = this.editing;
    this.run(async () => {
      await this.api.setEntry({
        plate: text("plate"),
        group: text("group"),
        description: text("description") || null,
        aliases: splitList(text("aliases")),
        cameras: data.getAll("cameras").map(String).filter(Boolean),
        validity: text("validity") || null,
        ...(original ? { original_plate: original.plate, original_group: original.group } : {}),
      });
      form.reset();
    });
  }

  private onImport(ev: Event): void {
    ev.preventDefault();
    const form = ev.target as HTMLFormElement;
    const data = new FormData(form);
    this.run(async () => {
      this.result = await this.api.importCsv(String(data.get("csv") ?? ""), data.get("replace") === "on");
    });
  }

  private cameraName(id: string): string {
    return this.info.cameras.find((c) => c.id === id)?.name ?? id;
  }

  private form() {
    const e = en.entry;
    const item = this.editing;
    return html`<form class="entry card" @submit=${this.onSave} aria-label=${item ? en.lists.edit : en.lists.add}>
      <label>${e.plate}<input name="plate" required maxlength="20" .value=${item?.plate ?? ""} /></label>
      <label>${e.list}<select name="group">
        ${this.groups.map((g) => html`<option value=${g.id} ?selected=${(item?.group ?? "allowed") === g.id}>${g.name}</option>`)}
      </select></label>
      <label>${e.description}<input name="description" maxlength="100" .value=${item?.description ?? ""} /></label>
      <label>${e.aliases}<input name="aliases" .value=${item?.aliases.join(", ") ?? ""} /></label>
      <label>${e.cameras}<select name="cameras" multiple size="3">
        ${this.info.cameras.map((c) => html`<option value=${c.id} ?selected=${item?.cameras.includes(c.id)}>${c.name}</option>`)}
      </select></label>
      <label>${e.validity}<input name="validity" maxlength="500" .value=${item?.validity ?? ""} /></label>
      <div class="actions">
        <button class="primary" type="submit">${item ? en.save : en.lists.add}</button>
        ${item ? html`<button type="button" @click=${() => (this.editing = undefined)}>${en.cancel}</button>` : nothing}
      </div>
    </form>`;
  }

  override render() {
    const admin = this.info.admin;
    const l = en.lists;
    return html`
      ${this.error ? html`<p class="error" role="alert">${fmt(en.error, { error: this.error })}</p>` : nothing}
      ${admin ? html`<section>${this.form()}</section>` : html`<p class="muted">${en.readOnly}</p>`}
      ${this.groups.map((group) => {
        const rows = this.entries.filter((entry) => entry.group === group.id);
        return html`<section class="card" aria-label=${group.name}>
          <h2>${group.name} <span class="badge ${group.category === "allowed" ? "known" : group.category}">${rows.length}</span></h2>
          ${rows.length
            ? html`<div class="scroll"><table>
                <thead><tr><th>${en.entry.plate}</th><th>${en.entry.description}</th>
                  <th class="wide">${l.aliases}</th><th class="wide">${l.cameras}</th><th>${l.validity}</th>
                  ${admin ? html`<th><span class="muted">${en.actions.label}</span></th>` : nothing}</tr></thead>
                <tbody>${rows.map((entry) => html`<tr>
                  <td><span class="plate">${entry.plate}</span></td>
                  <td>${entry.description ?? ""}</td>
                  <td class="wide">${entry.aliases.join(", ")}</td>
                  <td class="wide">${entry.cameras.length ? entry.cameras.map((c) => this.cameraName(c)).join(", ") : en.entry.allCameras}</td>
                  <td>${entry.validity ?? ""}</td>
                  ${admin ? html`<td class="actions">
                    <button @click=${() => (this.editing = entry)} aria-label="${l.edit} ${entry.plate}">${l.edit}</button>
                    <button class="danger" aria-label="${l.remove} ${entry.plate}"
                      @click=${() => window.confirm(fmt(l.removeConfirm, { plate: entry.plate, list: group.name })) &&
                        this.run(() => this.api.removeEntry(entry.plate, group.id))}>${l.remove}</button>
                  </td>` : nothing}
                </tr>`)}</tbody></table></div>`
            : html`<p class="muted">${l.empty}</p>`}
        </section>`;
      })}
      <section class="card">
        <div class="actions">
          <button @click=${() => download(exportName("lists", new Date()), this.csv)}>${l.export}</button>
        </div>
        ${admin
          ? html`<form @submit=${this.onImport} style="margin-top: 8px; display: grid; gap: 8px">
              <label>${l.importHelp}<textarea name="csv" required></textarea></label>
              <label style="flex-direction: row; align-items: center"><input type="checkbox" name="replace" /> ${l.replace}</label>
              <div class="actions"><button class="primary" type="submit">${l.import}</button></div>
            </form>`
          : nothing}
        ${this.result
          ? html`<p role="status">${fmt(l.importDone, { added: this.result.added, rejected: this.result.rejected.length })}</p>
              <ul>${this.result.rejected.map((r) => html`<li class="error">${fmt(l.rejectedRow, { line: r.line, plate: r.plate || "—", error: r.error })}</li>`)}</ul>`
          : nothing}
      </section>
    `;
  }
}

export class AnprVehiclesView extends LitElement {
  static override properties = {
    hass: { attribute: false },
    api: { attribute: false },
    narrow: { type: Boolean, reflect: true },
    vehicles: { state: true },
    error: { state: true },
  };
  hass!: HassLike;
  api!: AnprApi;
  narrow = false;
  vehicles?: Vehicle[];
  error = "";
  private unsubscribe?: Promise<() => Promise<void>>;

  static override styles = [theme, viewStyles];

  override connectedCallback(): void {
    super.connectedCallback();
    this.load();
    this.unsubscribe = this.api.subscribe({}, () => this.load());
    this.unsubscribe.catch(() => undefined); // no live refresh; the list stays as loaded
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.then((unsub) => unsub()).catch(() => undefined);
  }

  async load(): Promise<void> {
    try {
      this.vehicles = (await this.api.vehicles()).vehicles;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  override render() {
    const v = en.vehicles;
    if (this.error) return html`<p class="error" role="alert">${fmt(en.error, { error: this.error })}</p>`;
    if (!this.vehicles) return html`<p class="muted">${en.loading}</p>`;
    if (!this.vehicles.length) return html`<p class="muted">${v.empty}</p>`;
    const language = languageOf(this.hass);
    const zone = timeZoneOf(this.hass);
    return html`<div class="card scroll"><table>
      <thead><tr><th>${v.name}</th><th>${en.entry.plate}</th><th>${v.presence}</th><th>${v.lastSeen}</th><th class="wide">${v.lastCamera}</th></tr></thead>
      <tbody>${this.vehicles.map((item) => html`<tr>
        <td>${item.name}</td>
        <td><span class="plate">${item.plate}</span></td>
        <td><span class="badge ${item.present ? "known" : "ignored"}">${item.present ? v.onSite : v.away}</span></td>
        <td>${item.last_seen
          ? html`<time datetime=${item.last_seen} title=${formatAbsolute(item.last_seen, language, zone)}>${formatRelative(item.last_seen, Date.now(), language)}</time>`
          : en.detail.never}</td>
        <td class="wide">${item.last_camera ?? ""}</td>
      </tr>`)}</tbody></table></div>`;
  }
}

export class AnprCamerasView extends LitElement {
  static override properties = {
    hass: { attribute: false },
    api: { attribute: false },
    narrow: { type: Boolean, reflect: true },
    cameras: { state: true },
    error: { state: true },
  };
  hass!: HassLike;
  api!: AnprApi;
  narrow = false;
  cameras?: CameraSummary[];
  error = "";
  private unsubscribe?: Promise<() => Promise<void>>;
  private timer?: number;

  static override styles = [theme, viewStyles];

  override connectedCallback(): void {
    super.connectedCallback();
    this.load();
    this.unsubscribe = this.api.subscribe({}, (event) => event.event === "added" && this.load());
    this.unsubscribe.catch(() => undefined); // the 30 s refresh still runs
    this.timer = window.setInterval(() => this.load(), 30000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearInterval(this.timer);
    this.unsubscribe?.then((unsub) => unsub()).catch(() => undefined);
  }

  async load(): Promise<void> {
    try {
      this.cameras = (await this.api.cameras()).cameras;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  override render() {
    const c = en.cameras;
    if (this.error) return html`<p class="error" role="alert">${fmt(en.error, { error: this.error })}</p>`;
    if (!this.cameras) return html`<p class="muted">${en.loading}</p>`;
    if (!this.cameras.length) return html`<p class="muted">${c.empty}</p>`;
    const language = languageOf(this.hass);
    const zone = timeZoneOf(this.hass);
    const state = (cam: CameraSummary) =>
      !cam.running
        ? html`<span class="badge alert">${c.stopped}</span>`
        : cam.connected === null
          ? html`<span class="badge">${c.push}</span>`
          : cam.connected
            ? html`<span class="badge known">${c.connected}</span>`
            : html`<span class="badge alert">${c.disconnected}</span>`;
    return html`<div class="card scroll"><table>
      <thead><tr><th>${c.name}</th><th>${c.state}</th><th>${c.lastRead}</th><th>${c.hour}</th><th class="wide">${c.day}</th><th class="wide"><span class="muted">${c.settings}</span></th></tr></thead>
      <tbody>${this.cameras.map((cam) => html`<tr>
        <td>${cam.name}</td>
        <td>${state(cam)}</td>
        <td>${cam.last_sighting
          ? html`<time datetime=${cam.last_sighting} title=${formatAbsolute(cam.last_sighting, language, zone)}>${formatRelative(cam.last_sighting, Date.now(), language)}</time>${cam.last_plate ? html` · <span class="plate" style="font-size: 0.9rem">${cam.last_plate}</span>` : nothing}`
          : en.detail.never}</td>
        <td>${cam.sightings_hour}</td>
        <td class="wide">${cam.sightings_day}</td>
        <td class="wide"><a class="button" href=${cam.settings_url}>${c.settings}</a></td>
      </tr>`)}</tbody></table></div>`;
  }
}

define("anpr-lists-view", AnprListsView);
define("anpr-vehicles-view", AnprVehiclesView);
define("anpr-cameras-view", AnprCamerasView);
