// Browser journey for the plan editor's flows (issue 10): an optional task's section appears as
// soon as its box is ticked; "add row" adds a row at once with JavaScript, and without it saves
// the draft and comes back with one more row, keeping what was typed; Enter in a field saves
// the draft (never "add row"). Screenshots of each step.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, shot, login } from "./lib.mjs";

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

const rows = (page, list) => page.locator(`tbody[data-rows="${list}"] tr`).count();

test("optional sections and add row, with JavaScript", async () => {
  const { base, passwords } = server;
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: "zh-CN" });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await login(page, base, "editor", passwords.editor);
  await page.click("#plan-link");
  await Promise.all([page.waitForLoadState("load"), page.click("#start-new")]);

  // Task 12 is not chosen: its section is in the page but hidden; ticking shows it at once.
  assert.equal(await page.locator("#task-12").isVisible(), false);
  await page.check('input[name=optional][value="12"]');
  assert.equal(await page.locator("#task-12").isVisible(), true);
  await page.uncheck('input[name=optional][value="12"]');
  assert.equal(await page.locator("#task-12").isVisible(), false);
  await page.check('input[name=optional][value="12"]');
  await shot(page, "60-flows-optional-ticked");

  // Add row: a second and a third empty row, numbered, the new one focused; nothing reloads.
  assert.equal(await rows(page, "t1_resp"), 1);
  const url = page.url();
  await page.click('button[data-add-row="t1_resp"]');
  assert.equal(await rows(page, "t1_resp"), 2);
  assert.equal(page.url(), url, "no reload");
  const focused = await page.evaluate(() => document.activeElement?.getAttribute("name"));
  assert.equal(focused, "t1_resp_1_name");
  // The new row's screen-reader labels carry its own number, not the copied row's (issue 10).
  const label = (id) => page.evaluate((f) => document.querySelector(`label[for="${f}"]`)?.textContent, id);
  assert.equal(await label("t1_resp_0_name"), "名称（第 1 行）");
  assert.equal(await label("t1_resp_1_name"), "名称（第 2 行）");
  assert.equal(await label("t1_resp_1_position"), "职务（第 2 行）");
  await page.fill("input[name=t1_resp_1_name]", "新增责任人");
  await page.fill("input[name=t1_resp_1_position]", "副秘书长");
  await page.click('button[data-add-row="t12_tgt"]');
  assert.equal(await rows(page, "t12_tgt"), 2);
  await page.click('button[data-add-row="t12_tgt"]');
  assert.equal(await rows(page, "t12_tgt"), 3);
  assert.equal(await label("t12_tgt_1_metric"), "指标（第 2 行）");
  assert.equal(await label("t12_tgt_2_due"), "完成期限（第 3 行）");
  await page.fill("input[name=t12_tgt_1_metric]", "学术会议");
  await shot(page, "61-flows-rows-added");

  // Enter in a field saves the draft (the hidden default button), never "add row".
  await page.fill("input[name=t2_resp_0_name]", "王五");
  await Promise.all([page.waitForURL(/done=saved/), page.press("input[name=t2_resp_0_name]", "Enter")]);
  assert.doesNotMatch(page.url(), /add=/);
  // Saved: the typed rows are in the draft (empty rows dropped), task 12 chosen and shown.
  assert.equal(await page.inputValue("input[name=t1_resp_0_name]"), "新增责任人");
  assert.equal(await page.inputValue("input[name=t2_resp_0_name]"), "王五");
  assert.equal(await page.inputValue("input[name=t12_tgt_0_metric]"), "学术会议");
  assert.equal(await page.locator("#task-12").isVisible(), true);
  assert.deepEqual(errors, []);
  await context.close();
});

test("add row without JavaScript", async () => {
  const { base, passwords } = server;
  const context = await browser.newContext({
    viewport: { width: 1280, height: 1000 },
    locale: "zh-CN",
    javaScriptEnabled: false,
  });
  const page = await context.newPage();
  await login(page, base, "editor", passwords.editor);
  await page.goto(`${base}/societies/A-01/plans/2017`);
  assert.equal(await rows(page, "t3_tgt"), 1);
  await page.fill("input[name=t3_resp_0_name]", "赵六");
  await Promise.all([page.waitForLoadState("load"), page.click('button[data-add-row="t3_tgt"]')]);
  assert.match(page.url(), /add=t3_tgt#task-3$/);
  assert.equal(await rows(page, "t3_tgt"), 2);
  assert.equal(await rows(page, "t4_tgt"), 1);
  assert.equal(await page.inputValue("input[name=t3_resp_0_name]"), "赵六");
  await shot(page, "62-flows-add-row-no-js");
  await context.close();
});
