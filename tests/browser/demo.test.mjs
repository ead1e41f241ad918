// Browser journey for the seeded demo (issue 10): `serve --demo` on a fresh data directory
// shows a living 2017 at 2017-09-15 10:00 Beijing time: the banner names the date, the
// dashboard has reds, yellows and greens, and no page speaks of lateness above a year.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer, launch, shot, login, logout, SHOTS } from "./lib.mjs";

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

/** Lateness shown in days ("迟交 N 天" / "N days late"): never a year or more in the demo. */
async function assertNoOldLateness(page, where) {
  const text = await page.textContent("body");
  for (const m of text.matchAll(/迟交\s*(\d+)\s*天|(\d+)\s*days? late/g)) {
    const days = Number(m[1] ?? m[2]);
    assert.ok(days < 365, `${where}: lateness of ${days} days: ${m[0]}`);
  }
}

test("the seeded demo tells the 2017 story", async () => {
  const { base, passwords } = server;
  const out = server.output();
  // Four logins, one per line, and the demo date at start.
  for (const name of ["admin", "reviewer", "editor", "viewer"]) {
    assert.match(out, new RegExp(`^\\s+${name}\\s+\\w+.*password: \\S+$`, "m"), out);
  }
  assert.match(out, /2017-09-15 10:0\d Beijing time/);
  assert.match(out, /Seeded the demonstration year .* 209 societies/);

  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "zh-CN" });
  const page = await ctx.newPage();
  // The public page already says which date the demo shows.
  await page.goto(`${base}/login`);
  assert.match(await page.textContent(".demo-banner"), /演示时间为 2017-09-15 10:0\d（北京时间）/);

  // The reviewer's dashboard: every colour, none of it lateness in years.
  await login(page, base, "reviewer", passwords.reviewer);
  await page.goto(`${base}/dashboard`);
  for (const colour of ["red", "yellow", "green"]) {
    const n = await page.locator(`#dashboard td > span.colour.${colour}`).count();
    assert.ok(n > 0, `no ${colour} society on the dashboard`);
  }
  await assertNoOldLateness(page, "dashboard");
  // The first screen, as the README shows it.
  await page.screenshot({ path: join(SHOTS, "90-demo-dashboard-screen.png") });
  await shot(page, "90-demo-dashboard");
  // The plan queue and the rates.
  await page.goto(`${base}/reviews/plans`);
  await assertNoOldLateness(page, "plan queue");
  await shot(page, "91-demo-plan-queue");
  await page.goto(`${base}/rates`);
  await assertNoOldLateness(page, "rates");
  await shot(page, "92-demo-rates");
  await logout(page);

  // The editor of 中国数学会: an accepted plan, a yellow task, messages in the inbox.
  await login(page, base, "editor", passwords.editor);
  await page.goto(`${base}/societies/A-01/reports/2017`);
  await assertNoOldLateness(page, "timeline");
  await shot(page, "93-demo-editor-timeline");
  await page.goto(`${base}/inbox`);
  const inbox = await page.textContent("main");
  assert.match(inbox, /中国数学会/);
  await shot(page, "94-demo-editor-inbox");
  await page.goto(`${base}/societies/A-01/facts`);
  await shot(page, "95-demo-editor-facts");
  await logout(page);

  // English: the banner says the date too.
  const en = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "en-US" });
  const enPage = await en.newPage();
  await enPage.goto(`${base}/login`);
  assert.match(await enPage.textContent(".demo-banner"), /The demo shows 2017-09-15 10:0\d \(Beijing time\)/);
  await en.close();
  await ctx.close();
});
