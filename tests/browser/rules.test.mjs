// Browser journey for the rule engine (issue 3, R-SOC-2, R-RULE-*, R-RULE-PRE): a society
// editor enters facts and sees coloured verdict cards with explanations; anyone runs the
// what-if check; a reviewer filters the overview.
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

test("an editor enters facts and sees the verdicts; a reviewer sees the overview", async () => {
  const { base, passwords } = server;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

  // The administrator records that 中国数学会 elects its council in 2017.
  await login(page, base, "admin", passwords.admin);
  await page.goto(`${base}/societies/A-01`);
  await page.selectOption("select[name=election_year]", "true");
  await Promise.all([page.waitForLoadState("load"), page.click("form[action$='/election'] button")]);
  await logout(page);

  await login(page, base, "editor", passwords.editor);
  assert.match(page.url(), /\/societies\/A-01$/);
  await page.click("text=填报 / 更新数据");
  await page.fill("#as_of", "2017-06-30");
  await page.fill("#f-members_baseline", "20000");
  await page.fill("#f-members_now", "23000");
  await page.fill("#f-council_previous", "170");
  await page.fill("#f-council_new", "190");
  await page.fill("#f-standing_new", "60");
  await page.fill("#f-council_frontline", "150");
  await page.fill("#f-standing_frontline", "40");
  await page.selectOption("#f-has_office", "true");
  await page.fill("#f-fulltime_sg_level", "1");
  await page.check("input[name=documents][value=council-rules]");
  await shot(page, "10-facts-form");
  await Promise.all([page.waitForLoadState("load"), page.click("#facts-form button[type=submit]")]);
  assert.match(page.url(), /\/societies\/A-01\?year=2017/);
  assert.match(await page.textContent(".flash"), /已保存/);
  const cap = page.locator("#rule-council-cap");
  assert.match(await cap.locator("summary .verdict").getAttribute("class"), /fail/);
  assert.match(await cap.textContent(), /180/);
  assert.match(await page.locator("#rule-members-growth summary .verdict").getAttribute("class"), /pass/);
  // The warning (in principle) asks for a written justification.
  const nap = page.locator("#rule-council-not-above-previous");
  assert.match(await nap.locator("summary .verdict").getAttribute("class"), /warning/);
  await nap.locator("textarea").fill("本届新增三个专业委员会的代表。");
  await Promise.all([page.waitForLoadState("load"), nap.locator("button").click()]);
  assert.match(await page.textContent("#rule-council-not-above-previous"), /本届新增三个专业委员会的代表/);
  await page.locator("#verdicts").scrollIntoViewIfNeeded();
  await shot(page, "11-society-verdicts");
  await logout(page);

  // Anyone: the what-if check saves nothing.
  await page.goto(`${base}/rules/check`);
  await page.selectOption("#f-election_year", "true");
  await page.fill("#f-members_now", "100000");
  await page.fill("#f-council_new", "200");
  await page.fill("#f-standing_new", "67");
  await Promise.all([page.waitForLoadState("load"), page.click("#whatif-form button[type=submit]")]);
  assert.match(await page.locator("#rule-council-cap summary .verdict").getAttribute("class"), /pass/);
  assert.match(await page.textContent("#rule-council-cap"), /100,000|10万/);
  assert.match(await page.locator("#rule-standing-third summary .verdict").getAttribute("class"), /fail/);
  await shot(page, "12-whatif");

  // A reviewer filters the overview by a failing rule.
  await login(page, base, "reviewer", passwords.reviewer);
  await page.goto(`${base}/overview/rules?year=2017&failing=council-cap`);
  assert.match(await page.textContent("#count"), /共 1 个学会/);
  assert.match(await page.textContent("#matrix"), /中国数学会/);
  await shot(page, "13-overview");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("text=导出 Excel")]);
  assert.match(download.suggestedFilename(), /reformwatch-rules-2017\.xlsx/);

  assert.deepEqual(errors, [], "no console errors");
  await context.close();
});
