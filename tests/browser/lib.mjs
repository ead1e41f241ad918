// Shared helpers for the browser journeys: start a real `reformwatch serve --demo` on a free
// port with its own data directory, and launch Debian's Chromium through playwright-core.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const SHOTS = join(here, "screenshots");
mkdirSync(SHOTS, { recursive: true });

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export const BIN = process.env.REFORMWATCH_BIN || join(here, "../../target/debug/reformwatch");

/**
 * Starts the server with demo data; resolves when /healthz answers. By default the registry and
 * the four accounts only (`--no-seed`: the journeys tell their own story on the demo clock);
 * `{ seeded: true }` starts the seeded 2017 demo (issue 10), `args` adds flags. `dataDir`
 * starts on an existing data directory (a restart: `stop({ keep: true })` keeps it).
 */
export async function startServer({ seeded = false, args = [], dataDir: given } = {}) {
  const bin = BIN;
  const dataDir = given ?? mkdtempSync(join(tmpdir(), "rw-browser-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const flags = ["serve", "--demo", "--data-dir", dataDir, "--addr", `127.0.0.1:${port}`, ...(seeded ? [] : ["--no-seed"]), ...args];
  const child = spawn(bin, flags, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: "warn" },
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  // Seeding the demo year takes 20–40 s on a debug build: allow for a loaded machine.
  const limit = seeded ? 180_000 : 60_000;
  const deadline = Date.now() + limit;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${out}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok && /password: /.test(out)) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`server did not start within ${limit / 1000} s:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const passwords = {};
  for (const m of out.matchAll(/^\s+(\w+)\s+\w+\s+.*password: (\S+)$/gm)) passwords[m[1]] = m[2];
  return {
    base,
    passwords,
    dataDir,
    output: () => out,
    async stop({ keep = false } = {}) {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      if (!keep) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// playwright-core 1.65.1's own --disable-features list (package.json pins the version).
const PLAYWRIGHT_DISABLED =
  "AvoidUnnecessaryBeforeUnloadCheckSync,DestroyProfileOnBrowserClose,HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,LensOverlay,MediaRouter,PaintHolding,ThirdPartyStoragePartitioning,AvoidCorsURLLoaderRestartOnRedirect,TcpPortRandomizationWin,OptimizationHints,NetworkTimeServiceQuerying,AimEnabled,PreconnectToSearch,msForceBrowserSignIn,msEdgeUpdateLaunchServicesPreferredVersion";

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      // Chromium keeps only the last --disable-features switch: a list of our own alone
      // silently turned back on what playwright-core turns off for automation (e.g.
      // AvoidUnnecessaryBeforeUnloadCheckSync, PaintHolding). So this one repeats
      // playwright's list and adds the on-device model features (translation, built-in AI:
      // their service failed to load in a CI run).
      `--disable-features=${PLAYWRIGHT_DISABLED},Translate,TranslateUI,OptimizationGuideModelDownloading,OptimizationHintsFetching,OptimizationTargetPrediction,OptimizationGuideOnDeviceModel,AIPromptAPI`,
    ],
  });
}

export async function shot(page, name) {
  // A full-page screenshot of a long page took over 30 s (playwright's default) in a CI run at
  // load average 14; the screenshot is evidence, not a timing check, so it gets 120 s.
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, timeout: 120_000 });
}

/**
 * Signs in and waits until the browser has left /login (the page the login redirects to is
 * loaded). `waitForLoadState("load")` alone resolved at once, on the login page that was
 * already loaded, so the caller went on while the POST was still in flight.
 */
export async function login(page, base, username, password) {
  await page.goto(`${base}/login`);
  await page.fill("#username", username);
  await page.fill("#password", password);
  await Promise.all([
    page.waitForURL((u) => u.pathname !== "/login", { waitUntil: "load" }),
    page.click("button[type=submit].primary"),
  ]);
}

/**
 * `promise`, or a rejection naming `what` after `ms` milliseconds. playwright-core gives
 * navigations and actions a 30 s timeout, but `evaluate`, `newContext`, `newPage` and `close`
 * have none: a browser that stops answering would block the run for ever.
 */
export function within(ms, what, promise) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s: ${what}`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

export async function logout(page) {
  await Promise.all([page.waitForURL(/\/login/), page.click("header form[action='/logout'] button")]);
}
