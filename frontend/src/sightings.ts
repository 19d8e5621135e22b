// The Sightings view (filters, live list, infinite scroll) and the sighting detail view.
import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { AnprApi, errorText } from "./api";
import { en, fmt } from "./strings";
import {
  EMPTY_FORM,
  applyLive,
  exportName,
  formToFilters,
  formToQuery,
  formatAbsolute,
  formatConfidence,
  formatDwell,
  formatHour,
  formatRelative,
  hourBars,
  languageOf,
  splitList,
  timeZoneOf,
  type FilterForm,
} from "./logic";
import {
  PANEL_PATH,
  define,
  download,
  navigate,
  rowStyles,
  sightingRow,
  theme,
  visitorBadge,
} from "./shared";
import type { HassLike, Info, LiveEvent, Sighting, SightingDetail, Visit } from "./types";

const PAGE = 50;

export class AnprSightingsView extends LitElement {
  static override properties = {
    hass: { attribute: false },
    api: { attribute: false },
    info: { attribute: false },
    narrow: { type: Boolean },
    form: { attribute: false },
    rows: { state: true },
    cursor: { state: true },
    loading: { state: true },
    error: { state: true },
    now: { state: true },
    expanded: { state: true },
  };
  hass!: HassLike;
  api!: AnprApi;
  info!: Info;
  narrow = false;
  /** Narrow mode: the filters besides the plate are folded away until asked for. */
  expanded = false;
  form: FilterForm = { ...EMPTY_FORM };
  rows: Sighting[] = [];
  cursor: string | null = null;
  loading = false;
  error = "";
  now = Date.now();
  private unsubscribe?: Promise<() => Promise<void>>;
  private generation = 0;
  private observer?: IntersectionObserver;
  private clock?: number;

  static override styles = [
    theme,
    rowStyles,
    css`
      :host { display: block; }
      form {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(150px, 1fr));
        gap: 8px;
        align-items: end;
        margin-bottom: var(--anpr-gap);
      }
      .buttons { display: flex; gap: 8px; flex-wrap: wrap; }
      .list { padding: 0; }
      .more { display: flex; justify-content: center; padding: var(--anpr-gap); }
      :host([narrow]) form { grid-template-columns: 1fr 1fr; }
      .toggle { display: none; }
      :host([narrow]) .toggle { display: inline-block; }
      :host([narrow]) form.folded .extra { display: none; }
      :host([narrow]) .row { grid-template-columns: 96px 1fr; }
      :host([narrow]) .abs { display: none; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.clock = window.setInterval(() => (this.now = Date.now()), 30000);
    if (this.api) this.reload();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearInterval(this.clock);
    this.observer?.disconnect();
    this.stopLive();
  }

  protected override willUpdate(changed: PropertyValues): void {
    if ((changed.has("api") || changed.has("form")) && this.api && this.isConnected) {
      this.reload();
    }
  }

  protected override firstUpdated(): void {
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && this.cursor && !this.loading) this.loadMore();
    });
    const sentinel = this.renderRoot.querySelector(".more");
    if (sentinel) this.observer.observe(sentinel);
  }

  private stopLive(): void {
    const pending = this.unsubscribe;
    this.unsubscribe = undefined;
    pending?.then((unsub) => unsub()).catch(() => undefined);
  }

  /** First page for the current filters, then live updates for the same filters. */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    const filters = formToFilters(this.form);
    this.stopLive();
    this.loading = true;
    this.error = "";
    const live: LiveEvent[] = [];
    let ready = false;
    this.unsubscribe = this.api.subscribe(filters, (event) => {
      if (generation !== this.generation) return;
      if (!ready) live.push(event);
      else this.rows = applyLive(this.rows, event);
    });
    try {
      await this.unsubscribe;
      const page = await this.api.sightings(filters, null, PAGE);
      if (generation !== this.generation) return;
      let rows = page.sightings;
      for (const event of live) rows = applyLive(rows, event);
      ready = true;
      this.rows = rows;
      this.cursor = page.next_cursor;
    } catch (err) {
      if (generation === this.generation) this.error = errorText(err);
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  async loadMore(): Promise<void> {
    if (!this.cursor) return;
    const generation = this.generation;
    this.loading = true;
    try {
      const page = await this.api.sightings(formToFilters(this.form), this.cursor, PAGE);
      if (generation !== this.generation) return;
      const seen = new Set(this.rows.map((r) => r.id));
      this.rows = [...this.rows, ...page.sightings.filter((r) => !seen.has(r.id))];
      this.cursor = page.next_cursor;
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.loading = false;
    }
  }

  private onFilter(ev: Event): void {
    ev.preventDefault();
    const data = new FormData(this.renderRoot.querySelector("form") as HTMLFormElement);
    const form = { ...EMPTY_FORM };
    for (const key of Object.keys(EMPTY_FORM) as (keyof FilterForm)[]) {
      (form as unknown as Record<string, string>)[key] = String(data.get(key) ?? "");
    }
    this.setForm(form);
  }

  private setForm(form: FilterForm): void {
    this.form = form;
    history.replaceState(null, "", `${PANEL_PATH}/sightings${formToQuery(form)}`);
  }

  private async onExport(): Promise<void> {
    try {
      const result = await this.api.exportCsv(formToFilters(this.form));
      download(exportName("sightings", new Date()), result.csv);
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private select(name: keyof FilterForm, label: string, options: [string, string][]) {
    return html`<label class="extra"
      >${label}
      <select name=${name} @change=${this.onFilter}>
        <option value="">${en.filters.any}</option>
        ${options.map(
          ([value, text]) =>
            html`<option value=${value} ?selected=${this.form[name] === value}>${text}</option>`,
        )}
      </select>
    </label>`;
  }

  override render() {
    const f = en.filters;
    const lists = [...new Set(this.info.lists.map((g) => g.name))];
    return html`
      <form @submit=${this.onFilter} aria-label=${f.label} role="search"
        class=${this.expanded ? "" : "folded"}>
        <label
          >${f.plate}
          <input
            name="plate"
            type="search"
            maxlength="20"
            autocomplete="off"
            spellcheck="false"
            .value=${this.form.plate}
            @change=${this.onFilter}
          />
        </label>
        <label class="extra"
          >${f.plateMatch}
          <select name="match" @change=${this.onFilter}>
            ${(
              [
                ["exact", f.exact],
                ["prefix", f.prefix],
                ["fuzzy1", f.fuzzy1],
                ["fuzzy2", f.fuzzy2],
              ] as [string, string][]
            ).map(
              ([value, text]) =>
                html`<option value=${value} ?selected=${this.form.match === value}>${text}</option>`,
            )}
          </select>
        </label>
        ${this.select("camera", f.camera, this.info.cameras.map((c) => [c.id, c.name]))}
        ${this.select("status", f.status, this.info.statuses.map((s) => [s, en.status[s] ?? s]))}
        ${this.select("list", f.list, lists.map((name) => [name, name]))}
        ${this.select(
          "direction",
          f.direction,
          this.info.directions.map((d) => [d, en.direction[d] ?? d]),
        )}
        <label class="extra"
          >${f.from}
          <input name="from" type="datetime-local" .value=${this.form.from} @change=${this.onFilter} />
        </label>
        <label class="extra"
          >${f.to}
          <input name="to" type="datetime-local" .value=${this.form.to} @change=${this.onFilter} />
        </label>
        <div class="buttons">
          <button type="button" class="toggle" aria-expanded=${this.expanded ? "true" : "false"}
            @click=${() => (this.expanded = !this.expanded)}>${this.expanded ? f.fewer : f.more}</button>
          <button type="button" class="extra" @click=${() => this.setForm({ ...EMPTY_FORM })}>${f.clear}</button>
          <button type="button" class="extra" @click=${this.onExport}>${f.export}</button>
        </div>
      </form>
      ${this.error
        ? html`<p class="error" role="alert">
            ${fmt(en.error, { error: this.error })}
            <button @click=${() => this.reload()}>${en.retry}</button>
          </p>`
        : nothing}
      <div class="card list" role="list" aria-busy=${this.loading ? "true" : "false"}>
        ${this.rows.map(
          (row) => html`<div role="listitem">${sightingRow(this.hass, row, this.now)}</div>`,
        )}
        ${!this.loading && !this.rows.length && !this.error
          ? html`<p class="muted" style="padding: 12px">${en.noSightings}</p>`
          : nothing}
      </div>
      <div class="more">
        ${this.loading
          ? html`<span class="muted">${en.loading}</span>`
          : this.cursor
            ? html`<button @click=${() => this.loadMore()}>${en.loadMore}</button>`
            : nothing}
      </div>
    `;
  }
}

export class AnprSightingDetail extends LitElement {
  static override properties = {
    hass: { attribute: false },
    api: { attribute: false },
    info: { attribute: false },
    sightingId: { type: Number },
    narrow: { type: Boolean },
    detail: { state: true },
    error: { state: true },
    message: { state: true },
    mode: { state: true },
  };
  hass!: HassLike;
  api!: AnprApi;
  info!: Info;
  sightingId = 0;
  narrow = false;
  detail?: SightingDetail;
  error = "";
  message = "";
  mode: "" | "add" | "misread" | "delete" | "purge" = "";

  static override styles = [
    theme,
    rowStyles,
    css`
      :host { display: block; }
      .top { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin-bottom: 12px; }
      .grid { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 12px; }
      :host([narrow]) .grid { grid-template-columns: 1fr; }
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 0; }
      dt { color: var(--anpr-muted); }
      dd { margin: 0; }
      h2 { font-size: 1.1rem; margin: 0 0 8px; font-weight: 500; }
      section { margin-bottom: 12px; }
      .actions { display: flex; gap: 8px; flex-wrap: wrap; }
      form { display: grid; gap: 8px; margin-top: 8px; }
      svg.hours { width: 100%; height: 80px; }
      svg.hours rect { fill: var(--anpr-primary); }
      svg.hours text { fill: var(--anpr-muted); font-size: 9px; }
      .badge.visitor { margin-left: 4px; }
      .badge.visit.open { background: var(--anpr-known); }
      .badge.visit.closed { background: var(--anpr-ignored); }
      .badge.visit.no_exit, .badge.visit.exit_only { background: var(--warning-color, #ffa600); }
    `,
  ];

  private unsubscribe?: Promise<() => Promise<void>>;

  protected override willUpdate(changed: PropertyValues): void {
    if ((changed.has("sightingId") || changed.has("api")) && this.api && this.sightingId) {
      this.load();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopLive();
  }

  private stopLive(): void {
    const pending = this.unsubscribe;
    this.unsubscribe = undefined;
    pending?.then((unsub) => unsub()).catch(() => undefined);
  }

  async load(): Promise<void> {
    this.error = "";
    try {
      const detail = await this.api.sighting(this.sightingId);
      if (this.detail?.sighting.plate !== detail.sighting.plate || !this.unsubscribe) {
        // Live: this sighting's thumbnail or read count arriving later.
        this.stopLive();
        this.unsubscribe = this.api.subscribe({ plate: detail.sighting.plate }, (event) => {
          if (this.detail && event.sighting.id === this.detail.sighting.id) {
            this.detail = { ...this.detail, sighting: event.sighting };
          }
        });
        // Live updates are a bonus here: a failed subscription leaves the detail as loaded.
        this.unsubscribe.catch(() => undefined);
      }
      this.detail = detail;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private async act(action: () => Promise<unknown>, after?: () => void): Promise<void> {
    this.error = "";
    try {
      await action();
      this.message = en.actions.done;
      this.mode = "";
      if (after) after();
      else await this.load();
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private onAdd(ev: Event): void {
    ev.preventDefault();
    const data = new FormData(ev.target as HTMLFormElement);
    const text = (key: string) => String(data.get(key) ?? "").trim();
    const original = this.detail?.list_entries.find((e) => e.group === text("original_group"));
    this.act(() =>
      this.api.setEntry({
        plate: text("plate"),
        group: text("group"),
        description: text("description") || null,
        aliases: splitList(text("aliases")),
        cameras: data.getAll("cameras").map(String).filter(Boolean),
        validity: text("validity") || null,
        ...(original ? { original_plate: original.plate, original_group: original.group } : {}),
      }),
    );
  }

  private onMisread(ev: Event): void {
    ev.preventDefault();
    const plate = String(new FormData(ev.target as HTMLFormElement).get("plate") ?? "");
    this.act(() => this.api.misread(this.sightingId, plate));
  }

  private hours(hours: number[]) {
    const bars = hourBars(hours);
    return html`<svg class="hours" viewBox="0 0 240 80" role="img" aria-label=${en.detail.hours}>
      ${bars.map(
        (height, hour) => html`<rect x=${hour * 10 + 1} y=${66 - height * 60} width="8"
            height=${Math.max(height * 60, hours[hour] ? 1 : 0)}>
            <title>${hour}:00 — ${hours[hour]}</title></rect>`,
      )}
      ${[0, 6, 12, 18].map(
        (hour) => html`<text x=${hour * 10 + 1} y="78">${String(hour).padStart(2, "0")}</text>`,
      )}
    </svg>`;
  }

  private entryForm() {
    const d = this.detail!;
    const entry = d.list_entries[0];
    const e = en.entry;
    return html`<form @submit=${this.onAdd} aria-label=${entry ? en.actions.editEntry : en.actions.addToList}>
      <input type="hidden" name="original_group" value=${entry?.group ?? ""} />
      <label>${e.plate}<input name="plate" required maxlength="20" .value=${entry?.plate ?? d.sighting.plate} /></label>
      <label
        >${e.list}
        <select name="group" required>
          ${this.info.lists.map(
            (g) => html`<option value=${g.id} ?selected=${(entry?.group ?? "allowed") === g.id}>${g.name}</option>`,
          )}
        </select>
      </label>
      <label>${e.description}<input name="description" maxlength="100" .value=${entry?.description ?? ""} /></label>
      <label>${e.aliases}<input name="aliases" .value=${entry?.aliases.join(", ") ?? ""} /></label>
      <label
        >${e.cameras}
        <select name="cameras" multiple size=${Math.min(4, this.info.cameras.length + 1)}>
          ${this.info.cameras.map(
            (c) => html`<option value=${c.id} ?selected=${entry?.cameras.includes(c.id)}>${c.name}</option>`,
          )}
        </select>
      </label>
      <label>${e.validity}<input name="validity" maxlength="500" .value=${entry?.validity ?? ""} /></label>
      <div class="actions">
        <button class="primary" type="submit">${en.save}</button>
        <button type="button" @click=${() => (this.mode = "")}>${en.cancel}</button>
      </div>
    </form>`;
  }

  private actions() {
    const d = this.detail!;
    const a = en.actions;
    if (!this.info.admin) return html`<p class="muted">${en.readOnly}</p>`;
    const confirm = (text: string, run: () => void) =>
      html`<p role="alert">${text}</p>
        <div class="actions">
          <button class="danger" @click=${run}>${en.confirm}</button>
          <button @click=${() => (this.mode = "")}>${en.cancel}</button>
        </div>`;
    return html`
      <div class="actions">
        <button class="primary" @click=${() => (this.mode = "add")}>
          ${d.list_entries.length ? a.editEntry : a.addToList}
        </button>
        <button @click=${() => (this.mode = "misread")}>${a.misread}</button>
        <button class="danger" @click=${() => (this.mode = "delete")}>${a.delete}</button>
        <button class="danger" @click=${() => (this.mode = "purge")}>${a.purge}</button>
      </div>
      ${this.mode === "add" ? this.entryForm() : nothing}
      ${this.mode === "misread"
        ? html`<form @submit=${this.onMisread}>
            <label>${a.misreadPrompt}<input name="plate" required maxlength="20" /></label>
            <div class="actions"><button class="primary" type="submit">${en.save}</button>
              <button type="button" @click=${() => (this.mode = "")}>${en.cancel}</button></div>
          </form>`
        : nothing}
      ${this.mode === "delete"
        ? confirm(a.deleteConfirm, () =>
            this.act(() => this.api.deleteSighting(d.sighting.id), () => navigate(`${PANEL_PATH}/sightings`)),
          )
        : nothing}
      ${this.mode === "purge"
        ? confirm(fmt(a.purgeConfirm, { plate: d.sighting.plate }), () =>
            this.act(() => this.api.purgePlate(d.sighting.plate), () => navigate(`${PANEL_PATH}/sightings`)),
          )
        : nothing}
    `;
  }

  /** The "Visit" block: arrived, left, time on site, status (or why there is none). */
  private visitBlock(visit: Visit | null) {
    const v = en.visit;
    if (!visit) {
      return html`<section class="card" aria-label=${v.title}>
        <h2>${v.title}</h2><p class="muted">${v.none}</p></section>`;
    }
    const language = languageOf(this.hass);
    const zone = timeZoneOf(this.hass);
    const at = (iso: string | null, camera: string | null) =>
      iso
        ? html`<time datetime=${iso}>${camera
            ? fmt(v.atCamera, { time: formatAbsolute(iso, language, zone), camera })
            : formatAbsolute(iso, language, zone)}</time>`
        : v.notSeen;
    const open = visit.status === "open";
    return html`<section class="card" aria-label=${v.title}>
      <h2>${v.title}</h2>
      <dl>
        <dt>${v.status}</dt><dd><span class="badge visit ${visit.status}">${v.statuses[visit.status] ?? visit.status}</span></dd>
        <dt>${v.arrived}</dt><dd>${at(visit.started, visit.entry_camera)}</dd>
        <dt>${v.left}</dt><dd>${open ? v.stillOnSite : at(visit.ended, visit.exit_camera)}</dd>
        <dt>${v.dwell}</dt><dd>${formatDwell(visit.dwell_s, language) || "—"}</dd>
        <dt>${v.reads}</dt><dd>${visit.reads}</dd>
      </dl>
    </section>`;
  }

  override render() {
    const back = html`<a class="button" href="${PANEL_PATH}/sightings"
      @click=${(ev: Event) => { ev.preventDefault(); history.back(); }}>← ${en.back}</a>`;
    if (this.error && !this.detail) {
      return html`${back}<p class="error" role="alert">${fmt(en.error, { error: this.error })}</p>`;
    }
    if (!this.detail) return html`${back}<p class="muted">${en.loading}</p>`;
    const { sighting: s, plate: p, previous } = this.detail;
    const language = languageOf(this.hass);
    const zone = timeZoneOf(this.hass);
    const when = (iso: string | null) => (iso ? formatAbsolute(iso, language, zone) : en.detail.never);
    const c = en.columns;
    return html`
      <div class="top">${back}<span class="plate" style="font-size: 1.6rem">${s.plate}</span>
        <span class="badge ${s.status}">${en.status[s.status]}</span>${visitorBadge(s.visitor_class)}</div>
      ${this.message ? html`<p role="status">${this.message}</p>` : nothing}
      ${this.error ? html`<p class="error" role="alert">${fmt(en.error, { error: this.error })}</p>` : nothing}
      <div class="grid">
        <section class="card">
          ${s.picture
            ? html`<anpr-thumb full .src=${s.picture} .label=${fmt(en.pictureOf, { plate: s.plate })}></anpr-thumb>`
            : html`<anpr-thumb full .src=${s.thumbnail} .label=${fmt(en.pictureOf, { plate: s.plate })}></anpr-thumb>`}
        </section>
        <div>
          <section class="card">
            <h2>${en.detail.attributes}</h2>
            <dl>
              <dt>${c.time}</dt><dd><time datetime=${s.time}>${when(s.time)}</time>
                <span class="muted">(${formatRelative(s.time, Date.now(), language)})</span></dd>
              <dt>${c.camera}</dt><dd>${s.camera ?? s.camera_id}</dd>
              <dt>${c.direction}</dt><dd>${en.direction[s.direction ?? "unknown"] ?? s.direction}</dd>
              <dt>${c.status}</dt><dd>${en.status[s.status]}${s.list ? ` · ${s.list}` : ""}</dd>
              <dt>${c.confidence}</dt><dd>${formatConfidence(s.confidence) || "—"}</dd>
              <dt>${c.reads}</dt><dd>${s.reads}</dd>
              <dt>${en.detail.readAs}</dt><dd>${s.read_plate ?? s.plate}</dd>
              <dt>${c.description}</dt><dd>${s.description ?? "—"}</dd>
            </dl>
          </section>
          <section class="card">
            <h2>${en.actions.label}</h2>
            ${this.actions()}
          </section>
        </div>
      </div>
      ${this.visitBlock(this.detail.visit ?? null)}
      ${this.detail.reginfo
        ? html`<section class="card">
            <h2>${en.detail.dvla}</h2>
            <dl>${Object.entries(this.detail.reginfo).map(
              ([key, value]) => html`<dt>${key}</dt><dd>${String(value)}</dd>`,
            )}</dl>
          </section>`
        : nothing}
      <section class="card">
        <h2>${en.detail.history}</h2>
        <dl>
          <dt>${en.detail.count}</dt><dd>${p.count}</dd>
          <dt>${en.detail.firstSeen}</dt><dd>${when(p.first_seen)}</dd>
          <dt>${en.detail.lastSeen}</dt><dd>${when(p.last_seen)}</dd>
          <dt>${en.detail.visitorClass}</dt>
          <dd>${p.visitor_class ? en.visitorClass[p.visitor_class] ?? p.visitor_class : "—"}</dd>
          <dt>${en.detail.usualHour}</dt>
          <dd>${p.usual_hour !== null && p.usual_hour !== undefined
            ? fmt(en.detail.usualHourAt, { hour: formatHour(p.usual_hour, language) })
            : "—"}</dd>
          <dt>${en.detail.listEntries}</dt>
          <dd>${this.detail.list_entries.length
            ? this.detail.list_entries.map((e) => {
                const group = this.info.lists.find((g) => g.id === e.group);
                return html`<div>${group?.name ?? e.group}${e.description ? ` — ${e.description}` : ""}${e.validity ? ` (${e.validity})` : ""}</div>`;
              })
            : en.detail.notListed}</dd>
        </dl>
        <h2 style="margin-top: 12px">${en.detail.hours}</h2>
        ${this.hours(p.hours)}
        <h2>${en.detail.previous}</h2>
        ${previous.map((row) => sightingRow(this.hass, row, Date.now(), { compact: true }))}
      </section>
    `;
  }
}

define("anpr-sightings-view", AnprSightingsView);
define("anpr-sighting-detail", AnprSightingDetail);
