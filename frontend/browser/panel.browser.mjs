// Real-browser test of the ANPR panel and card against the demo Home Assistant (run by
// scripts/browser_test, which starts scripts/develop). Debian's chromium driven by
// playwright-core (pinned in frontend/package-lock.json; it never downloads a browser).
//
// What it checks, as a user would see it:
//   1. log in (HA's login page), open the ANPR panel, see the demo cameras' sightings with
//      thumbnails that decode (naturalWidth 320);
//   2. filter by plate; open a sighting's detail; add the plate to the Allowed list there;
//   3. the next read of that plate (pushed to the demo's webhook camera) fires `known` on the
//      event entity, and the new sighting appears in the open panel without reloading
//      (latency measured: push -> row visible, over several reads);
//   4. the dashboard card `custom:anpr-sightings-card` shows the same sightings as the panel
//      and is offered in the card picker;
//   5. a non-admin user sees the sightings but no write buttons, and their write calls are
//      refused (`unauthorized`);
//   6. writes the README screenshots (each view; light and dark; desktop and phone width).
//
// usage: node panel.browser.mjs --url URL --user U --password P --hass-config DIR
//          --plate B4DM3N --fixture tests/fixtures/....jpg --docs ../docs
//          [--chromium /usr/bin/chromium] [--screenshots no]
import { chromium } from "playwright-core";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, v, i, all) => (v.startsWith("--") ? [...acc, [v.slice(2), all[i + 1]]] : acc), []),
);
const url = args.url.replace(/\/$/, "");
const docs = args.docs ?? "../docs";
const started = Date.now();
const log = (msg) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${msg}`);

async function api(path, { method = "GET", token, body, form } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (form) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    payload = new URLSearchParams(body).toString();
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const res = await fetch(url + path, { method, headers, body: payload });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function token(username, password) {
  const clientId = `${url}/`;
  const flow = await api("/auth/login_flow", {
    method: "POST",
    body: { client_id: clientId, handler: ["homeassistant", null], redirect_uri: clientId },
  });
  const result = await api(`/auth/login_flow/${flow.flow_id}`, {
    method: "POST",
    body: { client_id: clientId, username, password },
  });
  const tokens = await api("/auth/token", {
    method: "POST",
    form: true,
    body: { grant_type: "authorization_code", code: result.result, client_id: clientId },
  });
  return tokens.access_token;
}

// The demo skips onboarding's core_config step; finish it so the frontend shows no
// onboarding page, and remove the entries onboarding creates (they reach the internet).
async function finishOnboarding(adminToken) {
  const steps = await api("/api/onboarding");
  if (steps.every((s) => s.done)) return;
  const clientId = `${url}/`;
  for (const step of steps.filter((s) => !s.done).map((s) => s.step)) {
    const body = step === "integration" ? { client_id: clientId, redirect_uri: clientId } : {};
    await api(`/api/onboarding/${step}`, { method: "POST", token: adminToken, body }).catch((e) => log(`onboarding ${step}: ${e.message}`));
  }
  const entries = await api("/api/config/config_entries/entry", { token: adminToken });
  for (const entry of entries.filter((e) => e.domain !== "anpr")) {
    await api(`/api/config/config_entries/entry/${entry.entry_id}`, { method: "DELETE", token: adminToken }).catch(() => {});
  }
  log("onboarding finished");
}

function webhookUrl() {
  const storage = JSON.parse(readFileSync(join(args["hass-config"], ".storage", "core.config_entries"), "utf8"));
  for (const entry of storage.data.entries) {
    for (const sub of entry.subentries ?? []) {
      if (sub.title === "Webhook" && sub.data?.webhook_id) return `${url}/api/webhook/${sub.data.webhook_id}`;
    }
  }
  throw new Error("no Webhook camera in the demo");
}

const jpeg = readFileSync(args.fixture).toString("base64");

/** A Milesight-style JSON push (docs/protocols.md) of `plate` with the demo picture. */
async function push(plate) {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
  const res = await fetch(webhookUrl(), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ device: "LPR-Gate-1", time: stamp, plate, direction: "Approach", confidence: "0.91", full_image: jpeg }),
  });
  assert.ok(res.ok, `webhook push: ${res.status}`);
}

async function browser(viewport = { width: 1280, height: 900 }) {
  const profile = mkdtempSync(join(tmpdir(), "anpr-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: args.chromium ?? "/usr/bin/chromium",
    headless: true,
    viewport,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  // Find an element through every open shadow root (Home Assistant nests panels deeply).
  await context.addInitScript(() => {
    window.__anprFind = (selector) => {
      const stack = [document];
      while (stack.length) {
        const root = stack.pop();
        const hit = root.querySelector(selector);
        if (hit) return hit;
        for (const el of root.querySelectorAll("*")) if (el.shadowRoot) stack.push(el.shadowRoot);
      }
      return null;
    };
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(60_000);
  // Home Assistant 2026.x asks an administrator to confirm the demo's HTTP settings (port,
  // address) in a modal after a start; confirm it whenever it shows up before an action.
  await page.addLocatorHandler(page.getByText("Confirm new HTTP server configuration"), async () => {
    await page.getByRole("button", { name: "Confirm", exact: true }).click();
  });
  // Browser-side errors go to the test output (a failing frontend is otherwise silent).
  page.on("pageerror", (err) => log(`page error: ${err.message}`));
  page.on("console", (msg) => msg.type() === "error" && log(`console: ${msg.text()}`));
  return { context, page, close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); } };
}

async function login(page, username, password) {
  await page.goto(`${url}/`);
  await page.getByRole("textbox", { name: /username/i }).fill(username);
  await page.getByLabel(/password/i).first().fill(password);
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector("home-assistant")?.hass?.user);
}

const callWS = (page, msg) =>
  page.evaluate((m) => document.querySelector("home-assistant").hass.callWS(m), msg);

/** Rows on screen: [{id, plate}] of the panel's sightings list (or the card's). */
const rows = (page, scope = "anpr-sightings-view") =>
  page.locator(`${scope} a.row`).evaluateAll((els) => els.map((el) => ({
    id: Number(el.dataset.sighting), plate: el.querySelector(".plate").textContent.trim() })));

async function shot(page, name) {
  if (args.screenshots === "no") return;
  await page.waitForTimeout(400); // let images and transitions settle
  const path = join(docs, `${name}.jpg`);
  await page.screenshot({ path, type: "jpeg", quality: 80 });
  log(`saved ${path}`);
}

const adminToken = await token(args.user, args.password);
await finishOnboarding(adminToken);
const admin = await browser();
const failures = [];
let latencies = [];
try {
  const { page } = admin;
  await login(page, args.user, args.password);
  log("logged in as the demo administrator");
  // The panel is in the sidebar.
  await page.locator("ha-sidebar").getByText("ANPR", { exact: true }).waitFor();
  await page.goto(`${url}/anpr`);
  await page.locator("anpr-sightings-view a.row").first().waitFor();
  // Thumbnails decode: at least one 320 px wide JPEG on screen.
  await page.waitForFunction(() => {
    const view = window.__anprFind("anpr-sightings-view");
    const imgs = [...view.shadowRoot.querySelectorAll("anpr-thumb")].map((t) => t.shadowRoot.querySelector("img")).filter(Boolean);
    return imgs.some((img) => img.complete && img.naturalWidth === 320);
  });
  const first = await rows(page);
  log(`panel shows ${first.length} sightings (${[...new Set(first.map((r) => r.plate))].join(", ")}) with decodable thumbnails`);

  // Filter by the plate the Driveway camera read (no other demo camera sends it, so the
  // webhook read below is a new sighting, not a repeat merged into a recent one).
  const plate = args.plate ?? first[0].plate;
  assert.ok(first.some((r) => r.plate === plate), `${plate} is among the sightings`);
  await page.locator("anpr-sightings-view input[name=plate]").fill(plate);
  await page.locator("anpr-sightings-view input[name=plate]").press("Enter");
  await page.waitForFunction((p) => {
    const view = window.__anprFind("anpr-sightings-view");
    const plates = [...view.shadowRoot.querySelectorAll("a.row .plate")].map((e) => e.textContent.trim());
    return plates.length > 0 && plates.every((x) => x === p);
  }, plate);
  assert.match(page.url(), new RegExp(`plate=${plate}`));
  log(`filtered by plate ${plate}`);

  // Open the detail and add the plate to the Allowed list from there.
  await page.locator("anpr-sightings-view a.row").first().click();
  await page.locator("anpr-sighting-detail").getByRole("button", { name: "Add to a list" }).click();
  const form = page.locator("anpr-sighting-detail form");
  await form.locator("select[name=group]").selectOption("allowed");
  await form.locator("input[name=description]").fill("Demo visitor");
  await shot(page, "panel-detail-light");
  await form.getByRole("button", { name: "Save" }).click();
  await page.locator("anpr-sighting-detail").getByRole("button", { name: "Edit list entry" }).waitFor();
  const lists = await callWS(page, { type: "anpr/v1/lists/get" });
  assert.ok(lists.entries.some((e) => e.plate === plate && e.group === "allowed"), "plate on the Allowed list");
  log(`added ${plate} to the Allowed list from the detail view`);

  // Back to the (filtered) list; the next read of that plate fires `known` and shows up live.
  await page.goBack();
  await page.locator("anpr-sightings-view a.row").first().waitFor();
  const before = await rows(page);
  const pushed = Date.now();
  await push(plate);
  let state;
  for (let i = 0; i < 100; i++) {
    state = await api("/api/states/event.webhook_plate", { token: adminToken });
    // Our read: this plate, fired after the push (the demo's own pusher reads other plates).
    if (state.attributes.plate === plate && Date.parse(state.state) >= pushed - 50) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(state.attributes.event_type, "known", `event.webhook_plate fired ${state.attributes.event_type}`);
  assert.equal(state.attributes.plate, plate);
  await page.waitForFunction((n) => {
    const view = window.__anprFind("anpr-sightings-view");
    return view.shadowRoot.querySelectorAll("a.row").length > n;
  }, before.length);
  const liveRow = page.locator("anpr-sightings-view a.row").first();
  assert.match(await liveRow.textContent(), /Known/);
  log(`next read of ${plate} fired "known" on event.webhook_plate and appeared live as Known`);

  // Latency: push -> row visible in the open (unfiltered) panel.
  await page.goto(`${url}/anpr/sightings`);
  await page.locator("anpr-sightings-view a.row").first().waitFor();
  await page.evaluate(() => {
    window.__anprSeen = {};
    const view = window.__anprFind("anpr-sightings-view");
    new MutationObserver(() => {
      for (const el of view.shadowRoot.querySelectorAll("a.row .plate")) {
        const text = el.textContent.trim();
        if (text.startsWith("LT") && !(text in window.__anprSeen)) window.__anprSeen[text] = Date.now();
      }
    }).observe(view.shadowRoot, { childList: true, subtree: true, characterData: true });
  });
  for (let i = 0; i < 10; i++) {
    const latencyPlate = `LT${String(i).padStart(2, "0")}ABC`;
    const t0 = Date.now();
    await push(latencyPlate);
    await page.waitForFunction((p) => p in window.__anprSeen, latencyPlate, { polling: 20 });
    latencies.push((await page.evaluate((p) => window.__anprSeen[p], latencyPlate)) - t0);
  }
  latencies.sort((a, b) => a - b);
  log(`push -> row visible: p50 ${latencies[4]} ms, max ${latencies[9]} ms (10 reads)`);

  // The card on a dashboard shows the same sightings as the panel.
  await callWS(page, { type: "lovelace/dashboards/create", url_path: "anpr-demo", title: "ANPR demo",
    mode: "storage", require_admin: false, show_in_sidebar: true });
  await callWS(page, { type: "lovelace/config/save", url_path: "anpr-demo", config: {
    views: [{ title: "Home", cards: [{ type: "custom:anpr-sightings-card", title: "Latest sightings", count: 5 }] }] } });
  await page.goto(`${url}/anpr-demo/0`);
  await page.locator("anpr-sightings-card a.row").first().waitFor();
  await page.waitForFunction(() => window.customCards?.some((c) => c.type === "anpr-sightings-card" && c.preview));
  const cardRows = await rows(page, "anpr-sightings-card");
  const page1 = await callWS(page, { type: "anpr/v1/sightings/list", limit: 5 });
  assert.deepEqual(cardRows.map((r) => r.id), page1.sightings.map((s) => s.id));
  log(`dashboard card shows the same ${cardRows.length} sightings as the panel`);
  await shot(page, "card-light");
  // A click on a card row opens the panel's detail.
  await page.locator("anpr-sightings-card a.row").first().click();
  await page.locator("anpr-sighting-detail .plate").first().waitFor();
  assert.match(page.url(), /\/anpr\/sighting\/\d+$/);

  // First render: from a dashboard, open the panel in the app (no page reload) and time until
  // its first page of 50 rows is on screen.
  for (let i = 0; i < 45; i++) await push(`FR${String(i).padStart(2, "0")}XYZ`);
  await page.waitForFunction(async () => {
    const page = await document.querySelector("home-assistant").hass.callWS({ type: "anpr/v1/sightings/list", limit: 50 });
    return page.sightings.length === 50;
  });
  const renders = [];
  for (let i = 0; i < 5; i++) {
    await page.goto(`${url}/anpr-demo/0`);
    await page.locator("anpr-sightings-card a.row").first().waitFor();
    renders.push(await page.evaluate(() => new Promise((resolve) => {
      const t0 = performance.now();
      history.pushState(null, "", "/anpr/sightings");
      window.dispatchEvent(new CustomEvent("location-changed", { detail: { replace: false } }));
      const check = () => {
        const view = window.__anprFind("anpr-sightings-view");
        if (view && view.shadowRoot.querySelectorAll("a.row").length >= 50) resolve(performance.now() - t0);
        else requestAnimationFrame(check);
      };
      check();
    })));
  }
  renders.sort((a, b) => a - b);
  log(`panel first render with 50 rows: p50 ${renders[2].toFixed(0)} ms, max ${renders[4].toFixed(0)} ms (5 runs)`);

  // A non-admin user: read-only.
  const created = await callWS(page, { type: "config/auth/create", name: "Viewer", group_ids: ["system-users"], local_only: false });
  await callWS(page, { type: "config/auth_provider/homeassistant/create", user_id: created.user.id, username: "viewer", password: "viewer-pass-1" });
  const viewer = await browser();
  try {
    const vp = viewer.page;
    await login(vp, "viewer", "viewer-pass-1");
    await vp.goto(`${url}/anpr`);
    await vp.locator("anpr-sightings-view a.row").first().waitFor();
    await vp.locator("anpr-sightings-view a.row").first().click();
    await vp.locator("anpr-sighting-detail").getByText("Only administrators").waitFor();
    for (const name of ["Add to a list", "Edit list entry", "Mark as misread", "Delete this sighting", "Purge this plate's history"]) {
      assert.equal(await vp.locator("anpr-sighting-detail").getByRole("button", { name }).count(), 0, `viewer sees ${name}`);
    }
    await vp.goto(`${url}/anpr/lists`);
    await vp.locator("anpr-lists-view").getByText("Only administrators").waitFor();
    assert.equal(await vp.locator("anpr-lists-view").getByRole("button", { name: /^(Add plate|Edit|Remove|Import CSV)/ }).count(), 0);
    for (const msg of [
      { type: "anpr/v1/lists/entry/set", plate: "ZZ99ZZZ", group: "allowed" },
      { type: "anpr/v1/sightings/purge_plate", plate },
      { type: "anpr/v1/sightings/delete", sighting_id: first[0].id },
    ]) {
      const code = await vp.evaluate((m) => document.querySelector("home-assistant").hass.callWS(m).then(() => "accepted", (e) => e.code), msg);
      assert.equal(code, "unauthorized", `${msg.type} by a non-admin`);
    }
    log("non-admin: no write buttons, write calls refused (unauthorized)");
  } finally {
    await viewer.close();
  }
} catch (err) {
  failures.push(err);
  await admin.page.screenshot({ path: join(tmpdir(), "anpr-browser-test-failed.png") }).catch(() => {});
  log(`FAILED: ${err.stack ?? err}`);
} finally {
  await admin.close();
}

// Screenshots for the README: each view, light and dark, desktop and phone width.
if (!failures.length && args.screenshots !== "no") {
  for (const [size, viewport] of [["desktop", { width: 1280, height: 860 }], ["phone", { width: 390, height: 844 }]]) {
    const b = await browser(viewport);
    try {
      await login(b.page, args.user, args.password);
      for (const scheme of ["light", "dark"]) {
        await b.page.emulateMedia({ colorScheme: scheme });
        const suffix = `${size === "phone" ? "phone-" : ""}${scheme}`;
        await b.page.goto(`${url}/anpr/sightings`);
        await b.page.locator("anpr-sightings-view a.row").first().waitFor();
        await shot(b.page, `panel-sightings-${suffix}`);
        await b.page.locator("anpr-sightings-view a.row").first().click();
        await b.page.locator("anpr-sighting-detail .plate").first().waitFor();
        await shot(b.page, `panel-detail-${suffix}`);
        for (const view of ["lists", "vehicles", "cameras"]) {
          await b.page.goto(`${url}/anpr/${view}`);
          await b.page.locator(`anpr-${view}-view table, anpr-${view}-view section`).first().waitFor();
          await shot(b.page, `panel-${view}-${suffix}`);
        }
        await b.page.goto(`${url}/anpr-demo/0`);
        await b.page.locator("anpr-sightings-card a.row").first().waitFor();
        await shot(b.page, `card-${suffix}`);
      }
    } finally {
      await b.close();
    }
  }
}

if (latencies.length) {
  writeFileSync(join(tmpdir(), "anpr-panel-latency.json"), JSON.stringify({ latencies }));
}
if (failures.length) process.exit(1);
log("browser test passed");
