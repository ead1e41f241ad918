// Browser journey for the foundation (issue 2, R-X-1, R-X-2): an administrator creates a
// society editor for 中国力学学会; the editor signs in, sees only that society and gets 404 on
// another's; English works and is remembered; the administrator finds it all in the audit trail.
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

test("administrator creates an editor who reaches only their own society", async () => {
  const { base, passwords } = server;
  assert.ok(passwords.admin, `admin password printed at start:\n${server.output()}`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

  // 1. Administrator signs in.
  await login(page, base, "admin", passwords.admin);
  assert.match(await page.textContent("header"), /科协管理员/);
  assert.match(await page.textContent(".demo-banner"), /演示数据/);
  await shot(page, "01-admin-home");

  // 2. Creates a society editor for 中国力学学会 with a generated password.
  await page.goto(`${base}/admin/users/new`);
  await page.fill("#username", "lixue.editor");
  await page.fill("#display_name", "力学学会填报人");
  await page.selectOption("#role", "society_editor");
  await page.fill("#society", "中国力学学会");
  await shot(page, "02-new-editor-form");
  await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit].primary")]);
  const generated = (await page.textContent("#new-password")).trim();
  assert.ok(generated.length >= 12, "a generated password is shown once");
  assert.equal(await page.inputValue("#society"), "A-03");
  await shot(page, "03-editor-created");
  await logout(page);

  // 3. The editor signs in and lands on their society.
  await login(page, base, "lixue.editor", generated);
  assert.match(page.url(), /\/societies\/A-03$/);
  assert.match(await page.textContent("h1"), /中国力学学会/);
  await shot(page, "04-editor-own-society");
  await page.goto(`${base}/societies`);
  const rows = await page.locator("#societies tbody tr").count();
  assert.equal(rows, 1, "the editor sees exactly one society");
  const other = await page.goto(`${base}/societies/A-01`);
  assert.equal(other.status(), 404);
  await shot(page, "05-editor-other-society-404");
  const api = await page.goto(`${base}/api/v1/societies/A-01`);
  assert.equal(api.status(), 404);

  // 4. Switching to English works and is remembered.
  await page.goto(`${base}/societies/A-03`);
  await Promise.all([page.waitForLoadState("load"), page.click("button[value=en]")]);
  assert.match(page.url(), /\/societies\/A-03$/);
  assert.match(await page.textContent("nav"), /My society/);
  await page.goto(`${base}/catalogues/2017`);
  assert.match(await page.textContent("main"), /Basic tasks/);
  await shot(page, "06-editor-english");
  await Promise.all([page.waitForLoadState("load"), page.click("button[value=zh]")]);
  await logout(page);

  // 5. The administrator finds these actions in the audit trail.
  await login(page, base, "admin", passwords.admin);
  await page.goto(`${base}/admin/audit?object_id=lixue.editor`);
  const audit = await page.textContent("#audit");
  // Actions in words, never their codes (issue 10): user.create, session.login.
  assert.match(audit, /新建账户/);
  assert.match(audit, /登录/);
  assert.doesNotMatch(audit, /user\.create|session\.login/);
  // Who acted, by display name, never the internal label `user:…` (issue 10).
  assert.match(audit, /力学学会填报人/);
  assert.doesNotMatch(audit, /user:lixue\.editor/);
  assert.match(await page.textContent("main"), /哈希链校验通过/);
  await shot(page, "07-admin-audit-trail");

  // The two 404s above were asked for; anything else (CSP violations, script errors) fails.
  const unexpected = errors.filter((e) => !/status of 404/.test(e));
  assert.deepEqual(unexpected, [], "no console errors (CSP violations would show here)");
  await context.close();
});

test("the public catalogue shows all 24 tasks with the full Chinese clause", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.base}/catalogues/2017`);
  assert.equal(await page.locator("ol.task-list li").count(), 24);
  await shot(page, "08-catalogue-2017");
  await page.goto(`${server.base}/catalogues/2017/tasks/9`);
  assert.match(await page.textContent("#clause"), /个人会员不足2万人的，理事会人数一般不超过150人/);
  await shot(page, "09-task-9");
  await context.close();
});
