// Browser journey for reform plans (issue 4, R-PLAN-1..4): an editor builds and submits a plan,
// a reviewer returns it with a comment, the editor fixes and resubmits, the reviewer accepts.
// Screenshots of each step.
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

const OPTIONAL = ["12", "13", "16", "20", "23"];

async function fillTask(page, n) {
  await page.fill(`input[name=t${n}_resp_0_name]`, "王秘书长");
  await page.fill(`input[name=t${n}_resp_0_position]`, "秘书长");
  await page.fill(`input[name=t${n}_tgt_0_metric]`, `任务${n}完成项数`);
  await page.fill(`input[name=t${n}_tgt_0_unit]`, "项");
  await page.fill(`input[name=t${n}_tgt_0_baseline]`, "1");
  await page.fill(`input[name=t${n}_tgt_0_target]`, "3");
  await page.fill(`input[name=t${n}_tgt_0_due]`, "2017-12-31");
  await page.fill(`input[name=t${n}_ms_0_date]`, "2017-09-30");
  await page.fill(`input[name=t${n}_ms_0_what]`, "完成中期检查");
}

async function save(page) {
  await Promise.all([page.waitForLoadState("load"), page.click("#save-draft")]);
}

test("editor submits, reviewer returns, editor resubmits, reviewer accepts", async () => {
  const { base, passwords } = server;
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: "zh-CN" });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

  // 1. The editor opens the plan: mandatory tasks pre-filled; 0 of 5 optional chosen.
  await login(page, base, "editor", passwords.editor);
  await page.click("#plan-link");
  await Promise.all([page.waitForLoadState("load"), page.click("#start-new")]);
  assert.match(await page.textContent("#optional-count"), /已选自选任务 0 项/);
  await shot(page, "20-plan-new");

  // 2. Chooses five optional tasks: the counter follows live (htmx), then saves.
  for (const n of OPTIONAL) {
    await page.check(`input[name=optional][value="${n}"]`);
  }
  await page.waitForFunction(() => /已选自选任务 5 项/.test(document.querySelector("#optional-count")?.textContent || ""));
  await save(page);
  assert.equal(await page.locator("fieldset.plan-task:not([hidden])").count(), 12);
  // Submitting now lists every problem at once.
  await Promise.all([page.waitForLoadState("load"), page.click("#submit-plan")]);
  assert.ok((await page.locator("#plan-issues li.blocking").count()) >= 12);
  await shot(page, "21-plan-refused");

  // 3. Fills every task and submits.
  for (const n of [1, 2, 3, 4, 5, 6, 7, ...OPTIONAL]) {
    await fillTask(page, n);
  }
  await save(page);
  assert.match(await page.textContent("#plan-issues"), /没有发现问题/);
  await Promise.all([page.waitForLoadState("load"), page.click("#submit-plan")]);
  assert.match(await page.textContent("h1 .state"), /已提交/);
  assert.match(await page.textContent("#late"), /迟交/); // the 2017 deadline has long passed
  await shot(page, "22-plan-submitted");
  await logout(page);

  // 4. The reviewer finds it in the queue and returns it with a comment on task 12.
  await login(page, base, "reviewer", passwords.reviewer);
  await page.goto(`${base}/reviews/plans`);
  assert.match(await page.textContent("#plans"), /中国数学会/);
  await shot(page, "23-review-queue");
  await Promise.all([page.waitForLoadState("load"), page.click("#plans a:has-text('中国数学会')")]);
  await page.fill("#tc_12", "请写明学术会议的规模和次数");
  await page.fill("#comment", "总体可行，请完善任务12的目标");
  await shot(page, "24-review-return");
  await Promise.all([page.waitForLoadState("load"), page.click("#return-plan")]);
  assert.match(await page.textContent("h1 .state"), /退回/);
  await logout(page);

  // 5. The editor sees the comment, fixes task 12 and resubmits.
  await login(page, base, "editor", passwords.editor);
  await page.goto(`${base}/inbox`);
  assert.match(await page.textContent("#inbox"), /退回修改/);
  await Promise.all([page.waitForLoadState("load"), page.click("#inbox a:has-text('退回修改')")]);
  assert.match(await page.textContent("#task-12 .review-comment"), /请写明学术会议的规模和次数/);
  await page.fill("input[name=t12_tgt_0_metric]", "500人以上学术会议");
  await page.fill("input[name=t12_tgt_0_target]", "4");
  await shot(page, "25-plan-fix");
  await Promise.all([page.waitForLoadState("load"), page.click("#submit-plan")]);
  assert.match(await page.textContent("h1 .state"), /重新提交/);
  await logout(page);

  // 6. The reviewer compares the versions and accepts.
  await login(page, base, "reviewer", passwords.reviewer);
  await page.goto(`${base}/societies/A-01/plans/2017/versions?a=1&b=2`);
  assert.match(await page.textContent("#diff"), /500人以上学术会议/);
  await shot(page, "26-compare");
  await page.goto(`${base}/societies/A-01/plans/2017`);
  await Promise.all([page.waitForLoadState("load"), page.click("#accept-plan")]);
  assert.match(await page.textContent("h1 .state"), /已通过/);
  await shot(page, "27-plan-accepted");
  await page.goto(`${base}/overview/plans`);
  assert.match(await page.textContent("#counts"), /已通过 1/);
  await shot(page, "28-plans-overview");

  // The refused submission (step 2) answers 422 on purpose; nothing else may fail.
  assert.deepEqual(errors.filter((e) => !/status of 422/.test(e)), [], "no console errors");
  await context.close();
});
