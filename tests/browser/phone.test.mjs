// Phone walks (issue 10 "Phone, keyboard and accessibility"): the reviewer and the viewer of
// the seeded demo on a 390 px phone, in Chinese and English (the administrator, the editor and
// the public have theirs in the other journeys). Each role opens the collapsed menu, follows
// every link in it by tapping, and then the detail pages its work leads to (the reviewer: a
// submitted plan, a report in the queue, a society and its assessment; the viewer: its plan's
// versions, a monthly report, its facts). On every page: answered 200, <html lang> is the
// interface's, nothing wider than the window (document.documentElement.scrollWidth <=
// innerWidth, with the elements that stick out named), no script error. Screenshots of every
// page go to tests/browser/screenshots/phone-ROLE-LANG-NN-*.png.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, login, within, shot } from "./lib.mjs";

let server;
let browser;

before(async () => {
  server = await startServer({ seeded: true });
  browser = await within(60_000, "launch Chromium", launch());
});

after(async () => {
  await within(30_000, "close the browser", browser?.close() ?? Promise.resolve()).catch((e) => console.error(e.message));
  await server?.stop();
});

const PHONE = { width: 390, height: 844 };
const LANGS = [
  { code: "zh", locale: "zh-CN", htmlLang: "zh-CN" },
  { code: "en", locale: "en-US", htmlLang: "en" },
];

/** The page's width against the window's, and what sticks out (not inside a scrolling box). */
async function width(page) {
  return within(60_000, "width", page.evaluate(() => {
    const inner = window.innerWidth;
    const scroll = document.documentElement.scrollWidth;
    const culprits = [];
    if (scroll > inner) {
      const inScroller = (el) => {
        for (let p = el.parentElement; p; p = p.parentElement) {
          if (["auto", "scroll", "hidden"].includes(getComputedStyle(p).overflowX)) return true;
        }
        return false;
      };
      for (const el of document.body.querySelectorAll("*")) {
        const r = el.getBoundingClientRect();
        if (r.right > inner + 0.5 && !inScroller(el)) culprits.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} right=${Math.round(r.right)}`);
      }
    }
    return { inner, scroll, culprits: culprits.slice(0, 6) };
  }));
}

/** The first link in <main> of the current page whose href matches `re`. */
async function firstLink(page, re) {
  const hrefs = await within(30_000, "links", page.$$eval("main a[href]", (as) => as.map((a) => a.getAttribute("href"))));
  const hit = hrefs.find((h) => re.test(h));
  assert.ok(hit, `no link matching ${re} on ${page.url()}: ${hrefs.slice(0, 15).join(" ")}`);
  return hit;
}

/**
 * One role's walk: log in on a phone, tap through the collapsed menu, then visit `details`
 * (paths, or functions of the page that return a path). Returns the failures.
 */
async function walk(role, lang, details) {
  const ctx = await within(30_000, "new context", browser.newContext({ viewport: PHONE, locale: lang.locale, isMobile: true, hasTouch: true }));
  ctx.setDefaultTimeout(20_000);
  ctx.setDefaultNavigationTimeout(30_000);
  const page = await within(30_000, "new page", ctx.newPage());
  const errors = [];
  page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
  const failures = [];
  let n = 0;
  const check = async (what) => {
    const path = new URL(page.url()).pathname + new URL(page.url()).search;
    const where = `${role} ${lang.code} ${path}`;
    const lang_ = await page.getAttribute("html", "lang");
    if (lang_ !== lang.htmlLang) failures.push(`${where}: <html lang="${lang_}">`);
    const w = await width(page);
    if (w.scroll > w.inner) failures.push(`${where}: ${w.scroll} px wide in a ${w.inner} px window: ${w.culprits.join(", ")}`);
    n += 1;
    await shot(page, `phone-${role}-${lang.code}-${String(n).padStart(2, "0")}-${what}`);
    return path;
  };

  await within(90_000, `login ${role}`, login(page, server.base, role, server.passwords[role]));
  await check("start");

  // The collapsed menu: closed, opened by a tap, every link followed by tapping it.
  assert.equal(await page.isVisible("nav.nav-wide"), false, `${role}: the wide menu shows on a phone`);
  await page.tap(".nav-narrow summary");
  const menu = await page.$$eval(".nav-narrow nav a", (as) => as.map((a) => a.getAttribute("href")));
  assert.ok(menu.length >= 3, `${role}: the phone menu has ${menu.length} links`);
  for (const href of menu) {
    if (!(await page.isVisible(".nav-narrow nav a"))) await page.tap(".nav-narrow summary");
    const [resp] = await Promise.all([
      page.waitForNavigation({ waitUntil: "load" }),
      page.tap(`.nav-narrow nav a[href='${href}']`),
    ]);
    if (resp?.status() !== 200) {
      failures.push(`${role} ${lang.code} menu ${href}: status ${resp?.status()}`);
      continue;
    }
    await check(`menu${href.replace(/[^a-z0-9]+/gi, "-")}`);
  }

  for (const d of details) {
    const path = typeof d === "function" ? await d(page) : d;
    const resp = await page.goto(server.base + path);
    if (resp?.status() !== 200) {
      failures.push(`${role} ${lang.code} ${path}: status ${resp?.status()}`);
      continue;
    }
    await check(`page${path.replace(/[^a-z0-9]+/gi, "-")}`.slice(0, 60));
  }
  await within(30_000, "close", ctx.close());
  return { failures: [...failures, ...errors.map((e) => `script error ${e}`)], pages: n };
}

for (const lang of LANGS) {
  test(`the reviewer's walk on a 390 px phone (${lang.code})`, { timeout: 6 * 60_000 }, async () => {
    const { failures, pages } = await walk("reviewer", lang, [
      "/reviews/plans?state=submitted",
      async (page) => {
        await page.goto(`${server.base}/reviews/plans?state=submitted`);
        return firstLink(page, /^\/societies\/[^/]+\/plans\/2017/);
      },
      async (page) => {
        await page.goto(`${server.base}/reviews/reports`);
        return firstLink(page, /^\/societies\/[^/]+\/reports\/2017\/\d+$/);
      },
      "/societies/A-02",
      "/societies/A-02/facts",
      "/societies/A-02/reports/2017",
      "/societies/A-02/assessment/2017",
      "/inbox",
      "/account",
    ]);
    assert.ok(pages >= 15, `only ${pages} pages walked`);
    assert.deepEqual(failures, [], `${failures.length} problem(s)`);
  });

  test(`the viewer's walk on a 390 px phone (${lang.code})`, { timeout: 6 * 60_000 }, async () => {
    const { failures, pages } = await walk("viewer", lang, [
      "/societies/A-01/facts",
      "/societies/A-01/plans/2017/versions?kind=reform",
      "/societies/A-01/reports/2017/8",
      "/societies/A-01/reports/2017/9",
      "/account",
    ]);
    assert.ok(pages >= 9, `only ${pages} pages walked`);
    assert.deepEqual(failures, [], `${failures.length} problem(s)`);
  });
}
