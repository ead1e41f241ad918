// Browser journey for the whole 2017 year in the seeded demo (issue 12): the demo is started
// after the year end (2018-01-10 10:00 Beijing time) and the year is finished through the pages,
// each step by the role that does it — a plan the demo left unreviewed is accepted, the
// September report of 中国数学会 is written and submitted, a task's acceptance decided, reviewers
// assigned (a declared conflict refused AT THE FIELD), the expert leaves scored and submitted,
// self-scores entered, the results shown to the societies, an objection filed by 中国数学会 and
// answered by the reviewer with the change it caused; after the 7-day objection window (the
// server restarted on the same data with its clock at 2018-01-20) one administrator requests
// finalisation and a SECOND administrator, created on the accounts page, approves; then the public
// results page and the notice (anonymous) show the final results, and `reformwatch assessment
// verify` and the API verify the publication. Screenshots at 1366 px (95-… to 99-…).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { startServer, launch, shot, login, logout, BIN } from "./lib.mjs";

let server;
let browser;

before(async () => {
  server = await startServer({ seeded: true, args: ["--clock", "2018-01-10T10:00+08:00"] });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// The commended societies as published (service::demo::EXEMPLARY; hand-checked in
// tests/it/demo.rs): [code, name, score, yuan] in code order, and the notice's table rows in
// rank order.
const COMMENDED = [
  ["A-08", "中国气象学会", "912", 1000000],
  ["B-45", "中国纺织工程学会", "920", 1000000],
  ["D-24", "中国医学救援协会", "916", 1000000],
];
const COMMENDED_ROWS = [
  ["1", "中国纺织工程学会", "920", "1,000,000"],
  ["2", "中国医学救援协会", "916", "1,000,000"],
  ["3", "中国气象学会", "912", "1,000,000"],
];
const EXPERT = ["1.1.1.1", "1.1.1.3", "1.2.4", "2.4", "3.2", "5.3", "6.5"];
// The reviewer's scores of 中国数学会's expert leaves (out of 10, 10, 15, 30, 30, 100, 20).
const SCORES = { "1.1.1.1": "9", "1.1.1.3": "9", "1.2.4": "13", "2.4": "27", "3.2": "26.5", "5.3": "88", "6.5": "18" };

async function go(page, path) {
  const r = await page.goto(`${server.base}${path}`);
  assert.ok(r.ok(), `${path}: ${r.status()}`);
  return r;
}

async function submit(page, selector) {
  await Promise.all([page.waitForLoadState("load"), page.click(selector)]);
}

/** No page is wider than the viewport (issue 10). */
async function fits(page, where) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= 1366, `${where}: ${w} px wide`);
}

test("the 2017 year end to end in the demo", { timeout: 900_000 }, async () => {
  const { base, passwords } = server;
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "zh-CN" });
  const page = await ctx.newPage();
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

  // 1. A plan the demo left waiting: the reviewer accepts the first submitted one in the queue.
  await login(page, base, "reviewer", passwords.reviewer);
  assert.match(await page.textContent(".demo-banner"), /2018-01-10 10:0\d/);
  // The assessment is in the reviewer's menu.
  await page.click("nav.nav-wide a:has-text('年度考核')");
  assert.match(page.url(), /\/admin\/assessment\/2017$/);
  await go(page, "/reviews/plans");
  const waiting = page.locator("#plans tbody tr", { hasText: "已提交" }).first();
  const planSociety = (await waiting.locator("td:nth-child(2)").textContent()).trim();
  // Deterministic from the demo's seed (2017): the first plan waiting in the queue.
  assert.equal(planSociety, "中国复合材料学会");
  await submit(page, `#plans tbody tr:has-text('已提交') a >> nth=0`);
  await submit(page, "#accept-plan");
  assert.match(await page.textContent("h1 .state"), /已通过/);
  assert.match(await page.textContent("h1"), new RegExp(planSociety));
  await logout(page);

  // 2. 中国数学会's September report, which the demo leaves to write: written and submitted (late).
  await login(page, base, "editor", passwords.editor);
  await go(page, "/societies/A-01/reports/2017");
  await submit(page, "#timeline a:has-text('2017年9月')");
  if (await page.isVisible("#start-report")) await submit(page, "#start-report");
  await page.fill("textarea[name=narrative]", "9月各项改革任务按计划推进");
  await submit(page, "#save-report");
  await submit(page, "#submit-report");
  assert.match(await page.textContent(".flash"), /已提交/);
  assert.match(await page.textContent("#late"), /迟交/);

  // 3. Self-scores (自评分) of 中国数学会, entered by its editor from the menu.
  await page.click("nav.nav-wide a:has-text('年度考核')");
  assert.match(page.url(), /\/societies\/A-01\/assessment\/2017$/);
  for (const id of EXPERT) await page.fill(`input[form=self-form][name="score-${id}"]`, SCORES[id]);
  await submit(page, "button[form=self-form]");
  assert.equal(await page.inputValue(`input[form=self-form][name="score-5.3"]`), "88");
  await logout(page);

  // 4. The reviewer declares a conflict with 中国物理学会 …
  await login(page, base, "reviewer", passwords.reviewer);
  await go(page, "/societies/A-02/assessment/2017");
  await page.selectOption("#kind", "conflict");
  await page.fill("#decl-reason", "本人为该学会理事");
  await submit(page, "form[action$='/declarations'] button");
  await logout(page);

  // 5. … so the administrator's assignment of both is refused AT THE FIELD, with what was typed.
  await login(page, base, "admin", passwords.admin);
  await page.click("nav.nav-wide a:has-text('年度考核')");
  await submit(page, "#reviewers-link");
  await page.fill("#lines", "A-01, reviewer\nA-02, reviewer");
  await submit(page, "#assign button");
  const err = await page.textContent("#err-lines");
  assert.match(err, /第 2 行/);
  assert.match(err, /利益冲突（本人为该学会理事）/);
  assert.equal(await page.getAttribute("#lines", "aria-invalid"), "true");
  assert.equal(await page.inputValue("#lines"), "A-01, reviewer\nA-02, reviewer");
  await fits(page, "reviewers refused");
  await shot(page, "95-year-conflict-refused");
  await page.fill("#lines", "A-01, reviewer");
  await submit(page, "#assign button");
  assert.match(await page.textContent("#assignments"), /中国数学会/);
  await logout(page);

  // 6. The reviewer decides task 1's acceptance and scores every expert leaf, then submits.
  await login(page, base, "reviewer", passwords.reviewer);
  await go(page, "/societies/A-01/assessment/2017");
  assert.ok(await page.isVisible("#blind"), "blind until submitted");
  await page.selectOption("#status-1", "completed");
  await page.fill("#comment-task-1", "议事规则已修订并经理事会通过");
  await submit(page, "#task-1 button");
  assert.match(await page.textContent("#task-1"), /议事规则已修订并经理事会通过/);
  for (const id of EXPERT) {
    await page.fill(`input[form=score-form][name="score-${id}"]`, SCORES[id]);
    await page.fill(`textarea[form=score-form][name="comment-${id}"]`, `指标${id}：材料齐全`);
  }
  await submit(page, "button[form=score-form][value=submit]");
  assert.ok(await page.isVisible("#submitted"));
  const scoreBefore = (await page.textContent("#result-score")).trim();
  await fits(page, "society assessment");
  await shot(page, "96-year-society-assessment");
  await logout(page);

  // 7. The administrator shows the results to the societies (公示, 7 days).
  await login(page, base, "admin", passwords.admin);
  await go(page, "/admin/assessment/2017");
  await submit(page, "#final-link");
  await submit(page, "form[action$='/show'] button");
  assert.match(await page.textContent("#results-state"), /公示/);
  await logout(page);

  // 8. 中国数学会 objects: task 2 should count as completed.
  await login(page, base, "editor", passwords.editor);
  await go(page, "/societies/A-01/assessment/2017/objections");
  await page.fill("#reason", "任务2会员发展目标已于12月完成，见12月会员统计");
  await submit(page, "form[action$='/objections'] button");
  assert.match(await page.textContent("main"), /任务2会员发展目标已于12月完成/);
  await logout(page);

  // 9. The reviewer changes task 2's acceptance (with its reason), then answers naming it.
  await login(page, base, "reviewer", passwords.reviewer);
  await go(page, "/societies/A-01/assessment/2017");
  await page.selectOption("#status-2", "completed");
  await page.fill("#comment-task-2", "经复核12月会员统计，目标已完成");
  await submit(page, "#task-2 button");
  const scoreAfter = (await page.textContent("#result-score")).trim();
  // Task 2 partly → completed: its leaf 2.3 (30 points) goes from half to full: +15.
  assert.equal(scoreBefore, "477.28");
  assert.equal(scoreAfter, "492.28");
  await go(page, "/admin/assessment/2017/final");
  const answer = page.locator("form[action*='/answer']").first();
  await answer.locator("textarea[name=answer]").fill("经复核，任务2验收改为完成");
  const option = await answer.locator("select[name=change] option", { hasText: "任务2" }).getAttribute("value");
  await answer.locator("select[name=change]").selectOption(option);
  await Promise.all([page.waitForLoadState("load"), answer.locator("button").click()]);
  assert.match(await page.textContent("main"), /经复核，任务2验收改为完成/);
  assert.match(await page.textContent(".change"), /任务2（.*）验收：.* → 完成/);
  await fits(page, "final page");
  await shot(page, "97-year-objection-answered");
  await logout(page);

  // The society sees the answer and the change it caused, with the change's reason.
  await login(page, base, "editor", passwords.editor);
  await go(page, "/societies/A-01/assessment/2017/objections");
  assert.match(await page.textContent(".change"), /经复核12月会员统计，目标已完成/);
  await logout(page);

  // 10. A second administrator, created on the accounts page.
  await login(page, base, "admin", passwords.admin);
  await go(page, "/admin/users/new");
  await page.fill("#username", "admin2");
  await page.fill("#display_name", "科协第二管理员");
  await page.selectOption("#role", "admin");
  await submit(page, "button[type=submit].primary");
  const admin2Password = (await page.textContent("#new-password")).trim();
  // Too early: the objection window is open until 2018-01-17 23:59 — refused with the reason.
  await go(page, "/admin/assessment/2017/final");
  await submit(page, "form[action$='/request'] button");
  assert.match(await page.textContent("#year-error"), /2018-01-17 23:59/);
  await logout(page);
  await ctx.close();

  // 11. A week later: the server restarts on the same data, its clock at 2018-01-20.
  const dataDir = server.dataDir;
  await server.stop({ keep: true });
  server = await startServer({ dataDir, seeded: true, args: ["--clock", "2018-01-20T10:00+08:00"] });
  const later = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "zh-CN" });
  const p2 = await later.newPage();
  p2.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await login(p2, server.base, "admin", server.passwords.admin);
  await p2.goto(`${server.base}/admin/assessment/2017/final`);
  await submit(p2, "form[action$='/request'] button");
  assert.match(await p2.textContent("#results-state"), /申请定稿|待批准/);
  // The requester cannot approve their own request (four eyes).
  await submit(p2, "form[action$='/approve'] button");
  assert.match(await p2.textContent("#approve-error"), /另一位管理员/);
  await logout(p2);
  await login(p2, server.base, "admin2", admin2Password);
  await p2.goto(`${server.base}/admin/assessment/2017/final`);
  await submit(p2, "form[action$='/approve'] button");
  assert.match(p2.url(), /\/assessment\/2017/);
  await logout(p2);
  await later.close();

  // 12. The public (anonymous): the final results and the notice.
  const anon = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "zh-CN" });
  const pub = await anon.newPage();
  await pub.goto(`${server.base}/assessment/2017`);
  const publicText = await pub.textContent("main");
  const sha = (await pub.textContent("#results-sha256")).trim();
  await fits(pub, "public results");
  await shot(pub, "98-year-public-results");
  await pub.goto(`${server.base}/assessment/2017/notice`);
  const notice = await pub.textContent("body");
  assert.match(notice, /关于2017年度全国学会改革考核结果的通报/);
  await shot(pub, "99-year-notice");
  // The published bytes hash to the listed SHA-256, and the chain verifies.
  const r = await pub.request.get(`${server.base}/api/v1/assessment/2017/results`);
  assert.equal(r.status(), 200);
  assert.equal(createHash("sha256").update(await r.body()).digest("hex"), sha);
  const doc = await (await pub.request.get(`${server.base}/api/v1/assessment/2017/results`)).json();
  // The final results as published. The demo's EXEMPLARY societies (service::demo) report
  // through December, meet every target and are scored 205, 201 and 197 of the 215 expert
  // points: commended (threshold 850). The pool (catalogue: budget 20,000,000, floor 200,000,
  // cap 1,000,000) would give each about a third of 20,000,000, above the cap, so each gets
  // the cap: 1,000,000 yuan, 3,000,000 in all, 17,000,000 unspent. 中国数学会 criticised at
  // 492.28 with the unfinished basic tasks and the clause quoted.
  assert.equal(doc.commended, 3);
  const commended = doc.societies
    .filter((s) => s.outcome === "commended")
    .map((s) => [s.code, s.name_zh, s.score, s.yuan])
    .sort((a, b) => a[0].localeCompare(b[0]));
  assert.deepEqual(commended, COMMENDED);
  assert.equal(doc.criticised, 206);
  const a01 = doc.societies.find((s) => s.code === "A-01");
  assert.equal(a01.outcome, "criticised");
  assert.equal(a01.score, "492.28");
  assert.equal(a01.yuan, null);
  assert.match(a01.reasons[0].zh, /^基本任务第 3 项（加强分支机构建设和管理）未完成/);
  assert.match(publicText, /中国数学会/);
  assert.match(publicText, /基本任务第 3 项（加强分支机构建设和管理）未完成/);
  assert.match(notice, /科协办发学字〔2018〕1号/);
  assert.match(notice, /对按照要求完成改革任务、取得明显改革实效的3个学会予以表扬，并依据年终考核结果给予学会综合治理改革项目奖补资助，共计3,000,000元。/);
  assert.doesNotMatch(notice, /本年度无受表扬的学会/);
  // The commended list in rank order: number, name, score, yuan.
  const rows = await pub.$$eval("table.list", (ts) => [...ts[0].querySelectorAll("tbody tr")].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent.trim())));
  assert.deepEqual(rows, COMMENDED_ROWS);
  assert.match(notice, /中国数学会/);
  // The official PDF when the binary was built with the feature `pdf` (its link is then on the
  // page); otherwise the printable page with its A4 print stylesheet. scripts/test builds with
  // the feature and says so (REFORMWATCH_EXPECT_PDF=1): then a missing link is a failure, not
  // the other branch.
  const pdfLink = await pub.$("#notice-pdf-link");
  if (process.env.REFORMWATCH_EXPECT_PDF === "1") {
    assert.ok(pdfLink, "the binary was built with the feature pdf: the notice page links the PDF");
  }
  if (pdfLink) {
    const href = await pdfLink.getAttribute("href");
    assert.equal(href, "/assessment/2017/notice.pdf");
    const pdf = await pub.request.get(`${server.base}${href}`);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()["content-type"], "application/pdf");
    const bytes = await pdf.body();
    assert.equal(bytes.subarray(0, 5).toString("latin1"), "%PDF-");
    // Its text (poppler's pdftotext, whitespace removed: it breaks lines inside cells): the
    // same document number, the commended societies and the exact total as the printable page.
    const file = join(server.dataDir, "notice.pdf");
    writeFileSync(file, bytes);
    const text = execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" }).replace(/\s+/g, "");
    assert.match(text, /科协办发学字〔2018〕1号/);
    assert.match(text, /共计3,000,000元/);
    for (const [, name] of COMMENDED_ROWS) assert.ok(text.includes(name.replace(/\s+/g, "")), `${name} in the PDF`);
  } else {
    const r404 = await pub.request.get(`${server.base}/assessment/2017/notice.pdf`);
    assert.equal(r404.status(), 404);
    assert.equal(await pub.getAttribute("link[rel=stylesheet]", "href"), "/assets/notice.css");
    const css = await (await pub.request.get(`${server.base}/assets/notice.css`)).text();
    assert.match(css, /@page \{ size: A4;/);
    assert.match(css, /@media print/);
  }
  await anon.close();
  const verified = execFileSync(BIN, ["assessment", "verify", "--data-dir", server.dataDir], { encoding: "utf8" });
  assert.match(verified, /assessment results chain intact: 1 publications/);

  assert.deepEqual(errors.filter((e) => !/status of 422/.test(e)), [], "no console errors");
});
