// Real-browser check of the demo Home Assistant (run by scripts/screenshot).
//
// Logs in through Home Assistant's own login page in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core), opens the device page of a camera and waits
// until the plate is on screen, then saves a PNG.
//
// usage: node shot.mjs --url http://127.0.0.1:8123 --user demo --password demo-anpr \
//          --device Driveway --plate B4DM3N --out docs/screenshot-device.png
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, v, i, all) => (v.startsWith("--") ? [...acc, [v.slice(2), all[i + 1]]] : acc), []),
);
const url = args.url.replace(/\/$/, "");
const out = args.out ?? "docs/screenshot-device.png";
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

// The demo skips onboarding's core_config step (it creates entries that reach the internet);
// the frontend would show the onboarding page until it is done, so finish it and remove the
// entries it creates. REST only; the login itself is done in the browser below.
async function finishOnboarding() {
  const steps = await api("/api/onboarding");
  if (steps.every((s) => s.done)) return;
  const clientId = `${url}/`;
  const flow = await api("/auth/login_flow", {
    method: "POST",
    body: { client_id: clientId, handler: ["homeassistant", null], redirect_uri: clientId },
  });
  const result = await api(`/auth/login_flow/${flow.flow_id}`, {
    method: "POST",
    body: { client_id: clientId, username: args.user, password: args.password },
  });
  const tokens = await api("/auth/token", {
    method: "POST",
    form: true,
    body: { grant_type: "authorization_code", code: result.result, client_id: clientId },
  });
  const token = tokens.access_token;
  for (const step of steps.filter((s) => !s.done).map((s) => s.step)) {
    const body = step === "integration" ? { client_id: clientId, redirect_uri: clientId } : {};
    await api(`/api/onboarding/${step}`, { method: "POST", token, body }).catch((e) => log(`onboarding ${step}: ${e.message}`));
  }
  const entries = await api("/api/config/config_entries/entry", { token });
  for (const entry of entries.filter((e) => e.domain !== "anpr")) {
    await api(`/api/config/config_entries/entry/${entry.entry_id}`, { method: "DELETE", token }).catch(() => {});
  }
  log("onboarding finished");
}

await finishOnboarding();
const profile = mkdtempSync(join(tmpdir(), "anpr-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: args.chromium ?? "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(60_000);
  await page.goto(`${url}/`);
  log("login page");
  await page.getByRole("textbox", { name: /username/i }).fill(args.user);
  await page.getByLabel(/password/i).first().fill(args.password);
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector("home-assistant")?.hass?.devices);
  log("logged in");
  const deviceId = await page.evaluate((name) => {
    const devices = Object.values(document.querySelector("home-assistant").hass.devices);
    return devices.find((d) => (d.name_by_user || d.name) === name)?.id;
  }, args.device);
  if (!deviceId) throw new Error(`no device named ${args.device}`);
  await page.goto(`${url}/config/devices/device/${deviceId}`);
  try {
    await page.getByText(args.plate).first().waitFor();
  } catch (err) {
    await page.screenshot({ path: out.replace(/\.png$/, "-failed.png") });
    throw err;
  }
  await page.waitForTimeout(1500); // let pictures and cards finish rendering
  await page.screenshot({ path: out });
  log(`saved ${out} (device ${args.device}, plate ${args.plate} visible)`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
