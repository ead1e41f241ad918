// Accessibility and phone-width sweep (issue 10 part C, issue 11 "Accessibility"): against the
// seeded demo, every page reachable by the administrator, the reviewer, the editor, the viewer
// and an anonymous visitor, at 1366 px and 390 px, in Chinese and English:
//   - zero axe-core violations of WCAG 2.1 A/AA (axe.min.js from node_modules, pinned in
//     package.json, evaluated in the page);
//   - nothing wider than the window (document.documentElement.scrollWidth <= innerWidth);
//   - <html lang> is the interface's language, and in the English interface Chinese data
//     (society names, task titles, clauses) sits inside an element with lang="zh…";
// and, on a few pages, the keyboard: the skip link is the first Tab stop and moves focus to the
// content, the focused control has a visible ring, and on a phone the menu is a <details> that
// opens and shows the same links. Screenshots of a few pages go to docs/screenshots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, launch, login, within } from "./lib.mjs";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const here = dirname(fileURLToPath(import.meta.url));
const DOCS_SHOTS = join(here, "../../docs/screenshots");
mkdirSync(DOCS_SHOTS, { recursive: true });

const WIDTHS = [
  { name: "desktop", width: 1366, height: 900 },
  { name: "phone", width: 390, height: 844 },
];
const LANGS = [
  { code: "zh", locale: "zh-CN", htmlLang: "zh-CN" },
  { code: "en", locale: "en-US", htmlLang: "en" },
];

let server;
let browser;

// Every step is written down with its time (printed live with REFORMWATCH_A11Y_VERBOSE=1, and
// the last ones in the message when something fails or times out), with what the browser
// reported on the way: page errors, console errors, failed requests.
const VERBOSE = !!process.env.REFORMWATCH_A11Y_VERBOSE;
const journal = [];
function note(line) {
  const entry = `${new Date().toISOString().slice(11, 23)} ${line}`;
  journal.push(entry);
  if (journal.length > 40) journal.shift();
  if (VERBOSE) console.error(entry);
}
/** The last steps, for a failure message. */
const lastSteps = () => `\n  last steps:\n    ${journal.slice(-12).join("\n    ")}`;

// Limits: a page of the seeded demo loads in well under a second on a debug build; axe on the
// largest page (the dashboard, ~5,000 cells) takes a few seconds. A step that takes longer
// than these is a hang, reported with the steps before it.
const NAV_MS = 30_000;
const STEP_MS = 60_000;
// axe on the largest matrices (/monitor: ~15,000 elements) on a loaded CI machine.
const AXE_MS = 180_000;

/** `promise`, timed out after `ms` with the journal in the message. */
async function step(what, promise, ms = STEP_MS) {
  note(what);
  try {
    return await within(ms, what, promise);
  } catch (e) {
    e.message += lastSteps();
    throw e;
  }
}


/** Runs axe in the page (evaluated through the DevTools protocol, so the page's own CSP stays
 * in force for everything else) and returns the WCAG 2.1 A/AA violations. */
async function axeViolations(page) {
  const loaded = await page.evaluate(() => typeof window.axe === "object");
  if (!loaded) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
      resultTypes: ["violations"],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      count: v.nodes.length,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(" ")} :: ${n.html.slice(0, 160)} :: ${n.failureSummary}`),
    }));
  });
}

/** The page's width against the window's, and the widest elements not inside a box that
 * scrolls sideways (to say what to fix when the page is too wide). */
async function widthReport(page) {
  return page.evaluate(() => {
    const inner = window.innerWidth;
    const scroll = document.documentElement.scrollWidth;
    const culprits = [];
    if (scroll > inner) {
      const inScroller = (el) => {
        for (let p = el.parentElement; p; p = p.parentElement) {
          const o = getComputedStyle(p).overflowX;
          if (o === "auto" || o === "scroll" || o === "hidden") return true;
        }
        return false;
      };
      for (const el of document.body.querySelectorAll("*")) {
        const r = el.getBoundingClientRect();
        if (r.right > inner + 0.5 && !inScroller(el)) {
          const id = el.id ? `#${el.id}` : "";
          const cls = typeof el.className === "string" && el.className ? `.${el.className.trim().split(/\s+/).join(".")}` : "";
          culprits.push(`${el.tagName.toLowerCase()}${id}${cls} right=${Math.round(r.right)}`);
        }
      }
    }
    return { inner, scroll, culprits: culprits.slice(0, 8) };
  });
}

/** Chinese data in the English interface outside any lang="zh…" element (society names,
 * clauses, a society's page heading: screen readers must pronounce them as Chinese). */
async function untaggedChinese(page) {
  return page.evaluate((SCOPE) => {
    const cjk = /[\u3400-\u9fff]/;
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.nodeValue;
      if (!cjk.test(text)) continue;
      const el = n.parentElement;
      if (!el || el.closest("script, style, [hidden], [aria-hidden=true]")) continue;
      // Society names (in tables, linking to the society) and clauses; free text people typed
      // (plans, reports, comments) is not checked: its language is the writer's.
      if (!el.closest(SCOPE)) continue;
      const tagged = el.closest("[lang]");
      if (tagged && tagged.getAttribute("lang").toLowerCase().startsWith("zh")) continue;
      if (el.getClientRects().length === 0 && !el.closest("option, select, title")) continue;
      out.push(`${el.tagName.toLowerCase()}: ${text.trim().slice(0, 40)}`);
    }
    return out;
  }, "main :is(td, th) > a[href^='/societies/'], main :is(td, th) > a[href^='/monitor/societies/'], #clause");
}

/** Records what the browser says about a page (errors, failed requests) in the journal. */
function watch(page, who) {
  page.on("pageerror", (e) => note(`${who} pageerror ${e.message}`));
  page.on("console", (m) => m.type() === "error" && note(`${who} console ${m.text()}`));
  page.on("requestfailed", (r) => note(`${who} requestfailed ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
  page.on("crash", () => note(`${who} PAGE CRASHED`));
  return page;
}

/**
 * Visits each path in one page of the context at both widths and collects every failure (all
 * pages are checked before the test fails, so one run shows everything that is wrong).
 */

before(async () => {
  // For iterating on fixes: REFORMWATCH_A11Y_BASE=http://127.0.0.1:PORT and
  // REFORMWATCH_A11Y_LOG=FILE (the server's output, for the passwords) point the sweep at a
  // seeded demo that is already running, instead of seeding a new one (20–40 s).
  const { REFORMWATCH_A11Y_BASE: base, REFORMWATCH_A11Y_LOG: log } = process.env;
  if (base && log) {
    const out = readFileSync(log, "utf8");
    const passwords = {};
    for (const m of out.matchAll(/^\s+(\w+)\s+\w+\s+.*password: (\S+)$/gm)) passwords[m[1]] = m[2];
    server = { base, passwords, output: () => "", stop: async () => {} };
  } else {
    server = await startServer({ seeded: true });
  }
});

after(async () => {
  await closeBrowser();
  await server?.stop();
});

// Robustness (the sweep used to stall: Chromium stopped answering CDP on the loaded 2-core
// machine after a few hundred page loads and axe runs in one browser): each role gets a fresh
// Chromium and ONE context, whose language is switched with the language cookie (`rw_lang`,
// which wins over Accept-Language) instead of a context per language; one page at a time,
// nothing in parallel; every step has a limit (`step`); a page whose load or checks time out
// is retried once on a fresh page, and a second failure is reported and the sweep goes on.

async function closeBrowser() {
  if (!browser) return;
  const b = browser;
  browser = undefined;
  await within(30_000, "close the browser", b.close()).catch((e) => note(`close the browser: ${e.message}`));
}

async function freshBrowser() {
  await closeBrowser();
  browser = await step("launch Chromium", launch());
  browser.on("disconnected", () => note("BROWSER DISCONNECTED"));
}

/** The interface language of every page of `ctx` from now on (the language cookie). */
async function setLang(ctx, lang) {
  await step(`language ${lang.code}`, ctx.addCookies([{ name: "rw_lang", value: lang.code, url: server.base }]));
}

/** A context for `user` (signed in; `null`: anonymous) in the current browser, with
 * playwright's limits on every action and navigation. */
async function roleContext(user) {
  if (!browser) await freshBrowser();
  const ctx = await step(`new context ${user ?? "anonymous"}`, browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "zh-CN" }));
  ctx.setDefaultTimeout(STEP_MS / 2);
  ctx.setDefaultNavigationTimeout(NAV_MS);
  if (user) {
    const page = watch(await step(`login ${user}: new page`, ctx.newPage()), user);
    await step(`login ${user}`, login(page, server.base, user, server.passwords[user]), NAV_MS * 2);
    assert.ok(!new URL(page.url()).pathname.startsWith("/login"), `${user} could not log in: ${page.url()}`);
    await step(`login ${user}: close page`, page.close());
  }
  return ctx;
}

/** The checks of one page at one width in one language; returns its failures. Throws when a
 * step times out (the caller retries once). */
async function checkPage(page, where, lang, w, path) {
  const out = [];
  const resp = await step(`${where}: goto`, page.goto(server.base + path), NAV_MS + 5_000);
  if (!resp || resp.status() !== 200) return [`${where}: status ${resp?.status()}`];
  const htmlLang = await step(`${where}: lang`, page.getAttribute("html", "lang"));
  if (htmlLang !== lang.htmlLang) out.push(`${where}: <html lang="${htmlLang}">, expected ${lang.htmlLang}`);
  const width = await step(`${where}: width`, widthReport(page));
  if (width.scroll > width.inner) {
    out.push(`${where}: ${width.scroll} px wide in a ${width.inner} px window; ${width.culprits.join(", ")}`);
  }
  // axe in both languages on a desktop, in Chinese on a phone (the rules that depend on the
  // width: contrast over the collapsed menu, hidden and shown content).
  const axe = w.name === "desktop" || lang.code === "zh" ? await step(`${where}: axe`, axeViolations(page), AXE_MS) : [];
  for (const v of axe) {
    out.push(`${where}: axe ${v.id} (${v.impact}, ${v.count}×) ${v.help}\n      ${v.nodes.join("\n      ")}`);
  }
  if (lang.code === "en" && w.name === "desktop") {
    const untagged = await step(`${where}: lang=zh`, untaggedChinese(page));
    if (untagged.length > 0) {
      out.push(`${where}: ${untagged.length} Chinese text(s) without lang="zh": ${untagged.slice(0, 4).join(" | ")}`);
    }
  }
  return out;
}

/** Timings of the sweep, printed at the end (how long each role took, how many pages). */
const timings = [];

/**
 * One role's sweep: a fresh browser, one context, one page at a time over `paths` in both
 * languages and at both widths. Collects every failure (all pages are checked before the
 * test fails, so one run shows everything that is wrong).
 */
async function sweepRole(who, user, paths) {
  const started = Date.now();
  const failures = [];
  const only = process.env.REFORMWATCH_A11Y_ONLY ? new RegExp(process.env.REFORMWATCH_A11Y_ONLY) : null;
  await freshBrowser();
  const ctx = await roleContext(user);
  let page = watch(await step(`${who}: new page`, ctx.newPage()), who);
  let visited = 0;
  let retried = 0;
  for (const lang of LANGS) {
    await setLang(ctx, lang);
    for (const w of WIDTHS) {
      await step(`${who} ${lang.code}: viewport ${w.width}`, page.setViewportSize({ width: w.width, height: w.height }));
      for (const path of paths) {
        const where = `${who} ${lang.code} ${w.width}px ${path}`;
        if (only && !only.test(where)) continue;
        for (let attempt = 1; attempt <= 2; attempt++) {
          try {
            const found = await checkPage(page, where, lang, w, path);
            for (const f of found) {
              failures.push(f);
              if (VERBOSE) console.error(`  FAIL ${f}`);
            }
            visited += 1;
            break;
          } catch (e) {
            // A stalled load or check: once more on a fresh page; the second time, reported.
            note(`${where}: attempt ${attempt} failed: ${e.message.split("\n")[0]}`);
            if (attempt === 2) failures.push(`${where}: ${e.message}`);
            else retried += 1;
            await within(15_000, "close the stalled page", page.close()).catch(() => {});
            page = watch(await step(`${who}: new page`, ctx.newPage()), who);
            await step(`${who}: viewport ${w.width}`, page.setViewportSize({ width: w.width, height: w.height }));
          }
        }
      }
    }
  }
  await step(`${who}: close context`, ctx.close());
  await closeBrowser();
  const seconds = Math.round((Date.now() - started) / 1000);
  timings.push(`${who}: ${visited} page checks in ${seconds} s, ${retried} retried`);
  console.error(`a11y sweep ${who}: ${visited} page checks in ${seconds} s, ${retried} retried`);
  assert.equal(failures.length, 0, `${who}: ${failures.length} failure(s):\n  ${failures.join("\n  ")}`);
}

/** The first link in the main part of the page at `path` whose href matches `re` (to find a
 * plan in a given state, a report, a user…: the seeded demo is deterministic, but the pages
 * say which society is in which state). */
async function firstLink(ctx, path, re) {
  const page = watch(await step(`firstLink ${path}: new page`, ctx.newPage()), "firstLink");
  const resp = await step(`firstLink ${path}: goto`, page.goto(server.base + path), NAV_MS + 5_000);
  assert.equal(resp.status(), 200, path);
  const hrefs = await step(`firstLink ${path}: links`, page.$$eval("main a[href]", (as) => as.map((a) => a.getAttribute("href"))));
  await step(`firstLink ${path}: close`, page.close());
  const hit = hrefs.find((h) => re.test(h));
  assert.ok(hit, `no link matching ${re} on ${path}: ${hrefs.slice(0, 20).join(" ")}`);
  return hit;
}

/** `page.evaluate` with a time limit (it has none of its own). */
const ev = (page, fn, arg) => step("evaluate", page.evaluate(fn, arg));

/** A test with a time limit: past it, the test fails with the steps that led there (and the
 * run goes on; it never blocks CI). */
function timed(ms, name, fn) {
  test(name, { timeout: ms + 30_000 }, () => step(`test: ${name}`, fn(), ms));
}

const PUBLIC = [
  "/",
  "/login",
  "/catalogues",
  "/catalogues/2017",
  "/catalogues/2017/tasks/1",
  "/catalogues/2017/tasks/9",
  "/rules/check",
  "/help/colours",
  "/monitor",
  "/bulletins",
  "/monitor/societies/A-01",
  "/monitor/tasks/2",
];

// The objects the demo has in each state, found through the administrator's pages.
const found = {};
const STAFF_COMMON = () => [
  "/dashboard",
  "/societies",
  "/societies/A-01",
  "/societies/A-01/facts",
  "/societies/A-01/plans/2017",
  "/societies/A-01/plans/2017/versions?kind=reform",
  "/societies/A-01/reports/2017",
  "/societies/A-01/reports/2017/8",
  "/reviews/plans",
  "/reviews/reports",
  "/overview/plans",
  "/rates",
  "/overview/rules",
  "/admin/assessment/2017",
  "/societies/A-01/assessment/2017",
  "/inbox",
  "/account",
  found.submittedPlan,
  found.returnedPlan,
  found.submittedReport,
];
const ADMIN_ONLY = () => [
  found.draftPlan,
  "/admin/users",
  "/admin/users/new",
  found.userPage,
  "/admin/deadlines",
  "/admin/audit",
  "/admin/catalogues",
  "/admin/bulletins",
  "/admin/years",
  "/admin/facts/import",
  "/societies/new",
  "/societies/import",
  "/societies/A-01/edit",
];
const SOCIETY = [
  "/societies/A-01",
  "/societies/A-01/facts",
  "/societies/A-01/plans/2017",
  "/societies/A-01/plans/2017/versions?kind=reform",
  "/societies/A-01/reports/2017",
  "/societies/A-01/reports/2017/8",
  "/societies/A-01/reports/2017/9",
  "/societies/A-01/assessment/2017",
  "/inbox",
  "/account",
];

/** Finds the objects (once): a draft, submitted and returned plan, a user, a submitted report. */
async function discover() {
  if (found.draftPlan) return;
  if (!browser) await freshBrowser();
  const admin = await roleContext("admin");
  // A published bulletin for the public pages (the seeded demo publishes three).
  const probe = watch(await step("bulletin: new page", admin.newPage()), "admin");
  const r = await step("bulletins", probe.request.get(`${server.base}/api/v1/bulletins`));
  assert.equal(r.status(), 200);
  assert.ok((await r.json()).length > 0, "the seeded demo published no bulletin");
  await step("bulletin: close", probe.close());
  found.draftPlan = await firstLink(admin, "/overview/plans?state=draft", /^\/societies\/[^/]+\/plans\/2017/);
  found.submittedPlan = await firstLink(admin, "/reviews/plans?state=submitted", /^\/societies\/[^/]+\/plans\/2017/);
  found.returnedPlan = await firstLink(admin, "/reviews/plans?state=returned", /^\/societies\/[^/]+\/plans\/2017/);
  found.userPage = await firstLink(admin, "/admin/users", /^\/admin\/users\/\d+/);
  found.submittedReport = await firstLink(admin, "/societies/A-02/reports/2017", /^\/societies\/A-02\/reports\/2017\/8/);
  await step("admin: close", admin.close());
}

const SWEEP = "zero axe violations (WCAG 2.1 AA), no sideways scrolling at 390 px, lang on Chinese data";

timed(6 * 60_000, `anonymous visitor, every public page: ${SWEEP}`, () => sweepRole("anonymous", null, PUBLIC));
timed(10 * 60_000, `administrator, every page: ${SWEEP}`, async () => {
  await discover();
  await sweepRole("admin", "admin", [...STAFF_COMMON(), ...ADMIN_ONLY()]);
});
timed(8 * 60_000, `reviewer, every page: ${SWEEP}`, async () => {
  await discover();
  await sweepRole("reviewer", "reviewer", STAFF_COMMON());
});
timed(5 * 60_000, `society editor, every page: ${SWEEP}`, () => sweepRole("editor", "editor", SOCIETY));
timed(5 * 60_000, `society viewer, every page: ${SWEEP}`, () => sweepRole("viewer", "viewer", SOCIETY));

// The remaining tests share one browser and one administrator context.
let adminCtx;
async function loggedIn(lang) {
  if (!adminCtx) {
    await freshBrowser();
    adminCtx = await roleContext("admin");
  }
  await setLang(adminCtx, lang);
  return adminCtx;
}

timed(3 * 60_000, "keyboard: the skip link is the first Tab stop and reaches the content; focus is visible; the phone menu opens", async () => {
  for (const lang of LANGS) {
    const ctx = await loggedIn(lang);
    const page = watch(await step("new page", ctx.newPage()), "admin");
    for (const path of ["/dashboard", "/societies/A-01/plans/2017", "/monitor"]) {
      await page.goto(server.base + path);
      await page.keyboard.press("Tab");
      const first = await ev(page, () => ({
        cls: document.activeElement.className,
        href: document.activeElement.getAttribute("href"),
        text: document.activeElement.textContent.trim(),
        outline: getComputedStyle(document.activeElement).outlineStyle,
        top: document.activeElement.getBoundingClientRect().top,
      }));
      assert.equal(first.cls, "skip-link", `${path}: first Tab stop is ${JSON.stringify(first)}`);
      assert.equal(first.href, "#main");
      assert.equal(first.text, lang.code === "zh" ? "跳到正文" : "Skip to content");
      assert.notEqual(first.outline, "none", `${path}: the focused skip link has no focus ring`);
      assert.ok(first.top >= 0, `${path}: the focused skip link is off screen (top ${first.top})`);
      await page.keyboard.press("Enter");
      assert.equal(await ev(page, () => document.activeElement.id), "main", `${path}: Enter on the skip link did not move focus to the content`);
      // The next Tab lands inside the content, with a visible ring.
      await page.keyboard.press("Tab");
      const next = await ev(page, () => ({
        inMain: !!document.activeElement.closest("main"),
        outline: getComputedStyle(document.activeElement).outlineStyle,
        width: getComputedStyle(document.activeElement).outlineWidth,
        tag: document.activeElement.tagName,
      }));
      assert.ok(next.inMain, `${path}: after the skip link, Tab went to ${next.tag} outside <main>`);
      assert.notEqual(next.outline, "none", `${path}: focused ${next.tag} has no visible ring`);
      assert.notEqual(next.width, "0px", `${path}: focused ${next.tag} has a 0 px ring`);
    }
    // On a phone the wide menu is gone and a <details> menu holds the same links.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.base}/dashboard`);
    assert.equal(await page.isVisible("nav.nav-wide"), false, "the wide menu shows on a phone");
    assert.equal(await page.isVisible(".nav-narrow summary"), true, "no menu button on a phone");
    assert.equal(await page.isVisible(".nav-narrow nav a[href='/rates']"), false, "the phone menu starts open");
    // A mouse click opens it, and shows no keyboard ring (negative control: the ring is
    // :focus-visible, so the checks above measured the keyboard case, not a permanent style).
    await page.click(".nav-narrow summary");
    assert.equal(await page.isVisible(".nav-narrow nav a[href='/rates']"), true, "a click did not open the phone menu");
    const ring = () => page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.equal(await ring(), "none", "a mouse click shows the keyboard focus ring");
    // The keyboard closes and opens it again, with the ring.
    await page.keyboard.press("Enter");
    assert.equal(await page.isVisible(".nav-narrow nav a[href='/rates']"), false, "Enter did not close the phone menu");
    assert.notEqual(await ring(), "none", "the menu button focused by keyboard has no ring");
    await page.keyboard.press("Enter");
    assert.equal(await page.isVisible(".nav-narrow nav a[href='/rates']"), true, "Enter did not open the phone menu");
    const wide = await page.$$eval("nav.nav-wide a", (as) => as.map((a) => a.getAttribute("href")));
    const narrow = await page.$$eval(".nav-narrow nav a", (as) => as.map((a) => a.getAttribute("href")));
    assert.deepEqual(narrow, wide);
    assert.ok(wide.length >= 10, `admin menu has ${wide.length} links`);
    assert.ok(await ev(page, () => document.documentElement.scrollWidth <= innerWidth), "the open menu is wider than the phone");
    // And at desktop width the reverse.
    await page.setViewportSize({ width: 1366, height: 900 });
    assert.equal(await page.isVisible("nav.nav-wide a[href='/rates']"), true);
    assert.equal(await page.isVisible(".nav-narrow"), false);
    await step("close page", page.close());
  }
});

timed(3 * 60_000, "tables scroll inside their own labelled, focusable box with the first columns fixed", async () => {
  const ctx = await loggedIn(LANGS[0]);
  const page = watch(await step("new page", ctx.newPage()), "admin");
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [path, table, fits] of [
    ["/dashboard", "#dashboard"],
    ["/overview/rules", "#matrix"],
    ["/overview/plans", "#plans"],
    ["/monitor", "#matrix"],
    ["/rates", "#rates-societies", "fits"],
  ]) {
    await page.goto(server.base + path);
    const box = await ev(page, (sel) => {
      const t = document.querySelector(sel);
      const b = t.closest(".table-scroll");
      if (!b) return null;
      return {
        role: b.getAttribute("role"),
        label: b.getAttribute("aria-label"),
        tabindex: b.getAttribute("tabindex"),
        scrollable: b.scrollWidth > b.clientWidth,
      };
    }, table);
    assert.ok(box, `${path}: ${table} is not inside a .table-scroll box`);
    assert.equal(box.role, "region", path);
    assert.equal(box.tabindex, "0", path);
    assert.ok(box.label && box.label.length > 0, `${path}: the scroll box has no label`);
    if (fits) {
      // Narrow enough for a phone (names wrap): nothing to scroll, and nothing wider either.
      assert.equal(box.scrollable, false, `${path}: ${table} scrolls at 390 px`);
      continue;
    }
    assert.ok(box.scrollable, `${path}: ${table} fits 390 px, so this check proves nothing`);
    // Scroll the box sideways: the name column stays where it was, a later column moves.
    const before = await ev(page, (sel) => {
      const row = document.querySelector(`${sel} tbody tr`);
      return { name: row.children[1].getBoundingClientRect().left, last: row.lastElementChild.getBoundingClientRect().left };
    }, table);
    const moved = await ev(page, (sel) => {
      const b = document.querySelector(sel).closest(".table-scroll");
      b.scrollLeft = b.scrollWidth;
      return b.scrollLeft;
    }, table);
    const afterScroll = await ev(page, (sel) => {
      const row = document.querySelector(`${sel} tbody tr`);
      return { name: row.children[1].getBoundingClientRect().left, last: row.lastElementChild.getBoundingClientRect().left };
    }, table);
    assert.ok(moved >= 20, `${path}: the box scrolls by ${moved} px only`);
    assert.ok(Math.abs(before.last - afterScroll.last - moved) <= 2, `${path}: the last column did not move with the box (${before.last} → ${afterScroll.last}, scrolled ${moved})`);
    assert.ok(afterScroll.name >= -1 && afterScroll.name <= 40, `${path}: the name column scrolled away (left ${before.name} → ${afterScroll.name})`);
  }
  await step("close page", page.close());
});

timed(3 * 60_000, "screenshots for the docs: dashboard 1366, plan editor 390, /monitor 1366 and 390", async () => {
  const ctx = await loggedIn(LANGS[0]);
  const page = watch(await step("new page", ctx.newPage()), "admin");
  const draftPlan = await firstLink(ctx, "/overview/plans?state=draft", /^\/societies\/[^/]+\/plans\/2017/);
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.goto(`${server.base}/dashboard`);
  await page.screenshot({ path: join(DOCS_SHOTS, "a11y-dashboard-1366.png") });
  await page.goto(`${server.base}/monitor`);
  await page.screenshot({ path: join(DOCS_SHOTS, "a11y-monitor-1366.png") });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(server.base + draftPlan);
  await page.screenshot({ path: join(DOCS_SHOTS, "a11y-plan-editor-390.png"), fullPage: false });
  await ev(page, () => document.querySelector("#plan-form fieldset.plan-task")?.scrollIntoView());
  await page.screenshot({ path: join(DOCS_SHOTS, "a11y-plan-editor-390-task.png") });
  await page.goto(`${server.base}/monitor`);
  await page.screenshot({ path: join(DOCS_SHOTS, "a11y-monitor-390.png") });
  await page.click(".nav-narrow summary");
  await page.screenshot({ path: join(DOCS_SHOTS, "a11y-menu-390.png") });
  await step("close page", page.close());
});
