// Browser journey for monthly tracking (issue 5, R-TRACK-1..4): an editor submits a monthly
// report with a PDF; a reviewer sees it coloured on the dashboard and downloads the file. Issue
// 10: the submitted report is read-only until the reviewer decides; the reviewer comments, then
// accepts it from the reviewers' queue, and the editor sees it accepted.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, shot, login, logout } from "./lib.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function planContent() {
  const task = (n, target) => ({
    number: n,
    responsible: [{ name: "王秘书长", position: "秘书长" }],
    targets: [target ?? { metric: "完成项数", unit: "项", baseline: 0, target: 2, due: "2017-12-31" }],
    milestones: [{ date: "2017-09-30", what: "中期检查" }],
  });
  const tasks = [1, 2, 3, 4, 5, 6, 7, 12, 13, 16, 20, 23].map((n) => task(n));
  tasks[1] = task(2, { metric: "个人会员", unit: "人", baseline: 10000, target: 11500, due: "2017-06-30", fact: "members_now" });
  return { summary: "", tasks };
}

const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

test("an editor reports with a PDF; a reviewer sees it on the dashboard and downloads it", async () => {
  const { base, passwords } = server;
  const headers = { Origin: base };
  // The society's plan, submitted and accepted through the API (the plan journey covers the pages).
  const editorCtx = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: "zh-CN", acceptDownloads: true });
  const editor = await editorCtx.newPage();
  await login(editor, base, "editor", passwords.editor);
  let r = await editor.request.post(`${base}/api/v1/societies/A-01/plans/2017`, { headers, data: {} });
  assert.equal(r.status(), 201, await r.text());
  r = await editor.request.put(`${base}/api/v1/societies/A-01/plans/2017/draft`, { headers, data: planContent() });
  assert.equal((await r.json()).submittable, true);
  r = await editor.request.post(`${base}/api/v1/societies/A-01/plans/2017/submit`, { headers });
  assert.equal(r.status(), 200, await r.text());
  const reviewerCtx = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: "zh-CN", acceptDownloads: true });
  const reviewer = await reviewerCtx.newPage();
  await login(reviewer, base, "reviewer", passwords.reviewer);
  r = await reviewer.request.post(`${base}/api/v1/societies/A-01/plans/2017/review`, { headers, data: { decision: "accept" } });
  assert.equal((await r.json()).plan.state, "accepted");

  // 1. The editor opens the June report from the timeline.
  await editor.goto(`${base}/societies/A-01/reports/2017`);
  await shot(editor, "30-timeline");
  await editor.click("#timeline a:has-text('2017年6月')");
  await Promise.all([editor.waitForLoadState("load"), editor.click("#start-report")]);
  // 2. Fills task 2 (members) and attaches a PDF.
  await editor.fill("textarea[name=narrative]", "6月会员发展情况良好");
  await editor.fill("input[name=t2_v0]", "11800");
  await editor.selectOption("select[name=t2_status]", "in_progress");
  await editor.fill("textarea[name=t2_progress]", "新增会员1800人");
  await Promise.all([editor.waitForLoadState("load"), editor.click("#save-report")]);
  await editor.selectOption("#evidence-form select[name=task]", "2");
  await editor.setInputFiles("#evidence-file", { name: "会员统计表.pdf", mimeType: "application/pdf", buffer: PDF });
  await Promise.all([editor.waitForLoadState("load"), editor.click("#evidence-form button")]);
  assert.match(await editor.textContent("#evidence"), /会员统计表\.pdf/);
  // 3. Submits (the 2017 due day has long passed: accepted and marked late).
  await Promise.all([editor.waitForLoadState("load"), editor.click("#submit-report")]);
  assert.match(await editor.textContent(".flash"), /已提交/);
  assert.match(await editor.textContent("#late"), /迟交/);
  // Read-only until the reviewer decides: the page says so, no save or submit button.
  assert.match(await editor.textContent("#report-status"), /已提交，等待审核/);
  assert.equal(await editor.locator("#save-report, #submit-report, #evidence-form").count(), 0);
  assert.equal(await editor.locator("#narrative").getAttribute("readonly"), "");
  await shot(editor, "31-report-submitted");

  // 4. The reviewer sees the society coloured on the June dashboard.
  await reviewer.goto(`${base}/dashboard?year=2017&month=6`);
  const row = reviewer.locator("#dashboard tr", { hasText: "中国数学会" });
  assert.match(await row.locator("td:nth-child(3) .colour").getAttribute("class"), /colour (red|yellow|green)/);
  assert.match(await row.textContent(), /已提交/);
  await shot(reviewer, "32-dashboard");
  // 5. Opens the report and downloads the PDF.
  await Promise.all([reviewer.waitForLoadState("load"), row.locator("a:has-text('已提交')").click()]);
  const [download] = await Promise.all([reviewer.waitForEvent("download"), reviewer.click("#evidence a")]);
  assert.match(download.suggestedFilename(), /会员统计表\.pdf$/);
  const path = await download.path();
  const { readFileSync } = await import("node:fs");
  assert.deepEqual(readFileSync(path), PDF);
  await reviewer.fill("#comment", "请补充分会员类别的统计");
  await Promise.all([reviewer.waitForLoadState("load"), reviewer.click("#comment-report")]);
  assert.match(await reviewer.textContent(".review"), /请补充分会员类别的统计/);
  await shot(reviewer, "33-report-reviewed");
  // 6. A comment does not decide: the report still waits in the queue; "通过" there accepts it.
  await reviewer.goto(`${base}/reviews/reports`);
  const waiting = reviewer.locator("#report-queue tr", { hasText: "中国数学会" });
  assert.match(await waiting.textContent(), /待评审/);
  await shot(reviewer, "33b-report-queue");
  await Promise.all([reviewer.waitForLoadState("load"), waiting.locator("button:has-text('通过')").click()]);
  assert.match(await reviewer.textContent(".flash"), /已通过/);
  assert.match(reviewer.url(), /\/reviews\/reports\?/);
  assert.equal(await reviewer.locator("#report-queue tr", { hasText: "中国数学会" }).count(), 0);
  await reviewer.goto(`${base}/reviews/reports?status=accepted`);
  assert.match(await reviewer.textContent("#report-queue"), /中国数学会/);
  // 7. The editor sees it accepted (final), and the message in the inbox.
  await editor.goto(`${base}/societies/A-01/reports/2017/6`);
  assert.match(await editor.textContent("#report-status"), /已通过审核/);
  assert.match(await editor.textContent("h1 .rstate"), /已通过/);
  assert.equal(await editor.locator("#save-report").count(), 0);
  await shot(editor, "33c-report-accepted");
  await editor.goto(`${base}/inbox`);
  assert.match(await editor.textContent("main"), /月度报告已通过审核/);
  await reviewer.goto(`${base}/rates?year=2017`);
  await shot(reviewer, "34-rates");

  await editorCtx.close();
  await reviewerCtx.close();
});
