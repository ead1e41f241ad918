// Browser journey for the public monitoring pages (issue 11) over the seeded demo, which
// publishes bulletins 第1期–第3期 (June–August 2017): home, /monitor, a society page, a task
// page, /bulletins and a download whose SHA-256 is the listed hash, in Chinese and English, at
// 1366 and 390 px; keyboard-only navigation reaches the matrix filters; axe-core (WCAG 2.1
// A/AA) finds no violation. Screenshots of home and /monitor (zh, 1366 and 390) go to
// docs/screenshots/ for the README.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, launch, shot } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const DOCS = join(here, "../../docs/screenshots");
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

let server;
let browser;

before(async () => {
  server = await startServer({ seeded: true });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** axe-core over the page: WCAG 2.0/2.1 A and AA rules, zero violations. */
async function axe(page, where) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  const found = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`,
  );
  assert.deepEqual(found, [], `${where}: axe violations`);
}

/** No horizontal scrolling of the page itself (tables scroll inside their own box). */
async function noPageScroll(page, where) {
  const [scroll, client] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  assert.ok(scroll <= client + 1, `${where}: page is ${scroll} px wide in a ${client} px window`);
}

const WORDS = {
  zh: { latest: "第3期（2017年8月）", months: ["2017年6月", "2017年7月", "2017年8月"], society: "中国数学会" },
  en: { latest: "No. 3 (August 2017)", months: ["Jun 2017", "Jul 2017", "Aug 2017"], society: "Chinese Mathematical Society" },
};

for (const lang of ["zh", "en"]) {
  for (const width of [1366, 390]) {
    test(`public pages in ${lang} at ${width} px`, async () => {
      const { base } = server;
      const ctx = await browser.newContext({
        viewport: { width, height: 900 },
        locale: lang === "zh" ? "zh-CN" : "en-US",
        acceptDownloads: true,
        // The pages' CSP forbids inline scripts; axe-core is injected by the test only.
        bypassCSP: true,
      });
      const page = await ctx.newPage();
      const w = WORDS[lang];
      const where = (p) => `${p} ${lang} ${width}`;

      // Home: the latest bulletin, its headline figures, two charts labelled by month.
      let r = await page.goto(`${base}/`);
      assert.equal(r.status(), 200);
      assert.ok((await page.getAttribute("html", "lang")).startsWith(lang));
      const monitor = await page.textContent("section.monitor");
      assert.ok(monitor.includes(w.latest), monitor);
      const labels = await page.$$eval("section.monitor svg text", (ts) => ts.map((t) => t.textContent));
      for (const m of w.months) {
        assert.equal(labels.filter((l) => l === m).length, 2, `${m} on both charts: ${labels}`);
      }
      assert.equal(await page.locator("#trend-data tbody tr").count(), 3);
      await noPageScroll(page, where("/"));
      await axe(page, where("/"));
      if (lang === "zh") await page.screenshot({ path: join(DOCS, `public-home-${width}.png`), fullPage: true });
      await shot(page, `60-public-home-${lang}-${width}`);

      // The matrix: 209 societies of the latest bulletin, symbols beside colours.
      r = await page.goto(`${base}/monitor`);
      assert.equal(r.status(), 200);
      assert.equal(await page.locator("#matrix tbody tr").count(), 209);
      assert.ok((await page.textContent("h1")).includes(w.latest));
      assert.ok((await page.textContent("#matrix")).includes(w.society));
      await noPageScroll(page, where("/monitor"));
      await axe(page, where("/monitor"));
      if (lang === "zh") await page.screenshot({ path: join(DOCS, `public-monitor-${width}.png`) });
      await shot(page, `61-public-monitor-${lang}-${width}`);

      // A society page: 中国数学会, its tasks and its trend over the three bulletins.
      r = await page.goto(`${base}/monitor/societies/A-01`);
      assert.equal(r.status(), 200);
      const h1 = await page.textContent("h1");
      assert.ok(h1.includes(w.society), h1);
      if (lang === "en") {
        assert.equal(await page.textContent("p.name-zh [lang=zh]"), "中国数学会");
      }
      assert.equal(await page.locator("#trend tbody tr").count(), 3);
      await noPageScroll(page, where("society"));
      await axe(page, where("society"));
      await shot(page, `62-public-society-${lang}-${width}`);

      // A task page.
      r = await page.goto(`${base}/monitor/tasks/1`);
      assert.equal(r.status(), 200);
      assert.ok((await page.locator("#task-societies tbody tr").count()) > 100);
      await noPageScroll(page, where("task"));
      await axe(page, where("task"));
      await shot(page, `63-public-task-${lang}-${width}`);

      // The bulletins with their hashes; the JSON download hashes to the listed value.
      r = await page.goto(`${base}/bulletins`);
      assert.equal(r.status(), 200);
      assert.equal(await page.locator("#bulletins tbody tr").count(), 3);
      const listed = (await page.textContent("#bulletins tbody tr:first-child td:nth-child(3)")).trim();
      assert.match(listed, /^[0-9a-f]{64}$/);
      await noPageScroll(page, where("/bulletins"));
      await axe(page, where("/bulletins"));
      await shot(page, `64-public-bulletins-${lang}-${width}`);
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click("#bulletins tbody tr:first-child a[href$='3.json']"),
      ]);
      assert.equal(download.suggestedFilename(), "bulletin-3.json");
      const bytes = readFileSync(await download.path());
      assert.equal(createHash("sha256").update(bytes).digest("hex"), listed);
      assert.equal(JSON.parse(bytes.toString("utf8")).number, 3);
      await ctx.close();
    });
  }
}

test("keyboard only: from the top of /monitor (skip link first) to the filters, and a filter applied", async () => {
  const { base } = server;
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "zh-CN" });
  const page = await ctx.newPage();
  await page.goto(`${base}/monitor`);
  // A visitor's first Tab stop is the skip link; Enter moves focus to the content (issue 11).
  await page.keyboard.press("Tab");
  const skip = await page.evaluate(() => ({ cls: document.activeElement.className, href: document.activeElement.getAttribute("href") }));
  assert.deepEqual(skip, { cls: "skip-link", href: "#main" });
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "main");
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute("name") ?? document.activeElement?.tagName);
  let reached = false;
  for (let i = 0; i < 60 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = (await focused()) === "group";
  }
  assert.ok(reached, "Tab never reached the discipline group filter");
  // Choose the second group with the keyboard, then Tab to the button and press Enter.
  await page.keyboard.press("ArrowDown");
  const group = await page.$eval("select[name=group]", (s) => s.value);
  assert.notEqual(group, "");
  await page.keyboard.press("Tab"); // task class
  assert.equal(await focused(), "class");
  await page.keyboard.press("Tab"); // the button
  await Promise.all([page.waitForURL(/group=/), page.keyboard.press("Enter")]);
  assert.ok(page.url().includes(`group=${group}`), page.url());
  const rows = await page.locator("#matrix tbody tr").count();
  assert.ok(rows > 0 && rows < 209, `${rows} rows after filtering by group ${group}`);
  await ctx.close();
});
