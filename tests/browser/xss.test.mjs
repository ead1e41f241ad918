// In-browser stored-XSS check (issue 9): XSS payloads are stored in every text field a user can
// write — plan texts, review comments, report narrative and progress, a facts justification,
// a society's names and contact, evidence file names, display names, a bulletin's correction
// reason — then every page that shows them is visited as administrator, reviewer, editor and
// anonymously. On each page: `window.__xss` stays undefined, no dialog opens, no element was
// injected (no <img src=x>, no element with an inline handler or a `javascript:` link, no
// script mentioning __xss) — which catches a missing escape even where the CSP would have
// stopped the script — and the payload is shown literally. A negative control proves the
// injection detector finds injected markup.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch } from "./lib.mjs";

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

const SCRIPT = "<script>window.__xss=1</script>";
const IMG = '"><img src=x onerror="window.__xss=1">';
const JS_URL = "javascript:window.__xss=1";
const TEMPLATE = "{{7*7}}${7*7}";
const SVG = "<svg onload=window.__xss=1>";
const FULL = `${SCRIPT}${IMG}${JS_URL} ${TEMPLATE}${SVG}`;
/** A field's payload: a tag naming the field, then the payloads (trimmed to `max` characters). */
const P = (tag, max = 500) => `${tag}${FULL}`.slice(0, max);

/** What the DOM holds that a payload could have injected; empty when everything was escaped. */
async function injected(page) {
  return page.evaluate(() => {
    const found = [];
    for (const el of document.querySelectorAll("*")) {
      for (const a of el.getAttributeNames()) {
        const v = el.getAttribute(a) || "";
        if (/^on/i.test(a) && /__xss/.test(v)) found.push(`${el.tagName}[${a}]`);
        if ((a === "href" || a === "src" || a === "action" || a === "formaction") && /^\s*javascript:/i.test(v)) {
          found.push(`${el.tagName}[${a}=${v}]`);
        }
      }
    }
    for (const s of document.querySelectorAll("script")) if (/__xss/.test(s.textContent)) found.push("SCRIPT");
    for (const i of document.querySelectorAll('img[src="x"]')) found.push(`IMG ${i.outerHTML}`);
    for (const s of document.querySelectorAll("svg[onload]")) found.push(`SVG ${s.outerHTML}`);
    return found;
  });
}

/** Body text plus the values of form fields (a draft's payload sits in a textarea). */
async function shown(page) {
  return page.evaluate(() => {
    for (const d of document.querySelectorAll("details")) d.open = true; // folded explanations
    const values = [...document.querySelectorAll("input, textarea")].map((e) => e.value);
    return `${document.body.innerText}\n${values.join("\n")}`;
  });
}

/** Visits `path` and checks it; `expect` lists strings that must be shown literally. */
async function visit(page, dialogs, base, path, expect) {
  const r = await page.goto(`${base}${path}`);
  assert.equal(r.status(), 200, `${path}: ${r.status()}`);
  await page.waitForLoadState("load");
  await page.waitForTimeout(50);
  assert.equal(await page.evaluate(() => typeof window.__xss), "undefined", `${path}: a payload ran`);
  assert.deepEqual(dialogs, [], `${path}: a dialog opened`);
  assert.deepEqual(await injected(page), [], `${path}: markup injected`);
  const text = await shown(page);
  for (const e of expect) assert.ok(text.includes(e), `${path}: ${JSON.stringify(e)} not shown literally`);
}

async function contextFor(username) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
  const page = await ctx.newPage();
  const dialogs = [];
  page.on("dialog", async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  if (username) {
    await page.goto(`${server.base}/login`);
    await page.fill("#username", username);
    await page.fill("#password", server.passwords[username]);
    await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit].primary")]);
  }
  return { ctx, page, dialogs };
}

async function ok(r, what, statuses = [200, 201]) {
  const body = await r.text();
  assert.ok(statuses.includes(r.status()), `${what}: ${r.status()} ${body}`);
  return body ? JSON.parse(body) : null;
}

test("the injection detector finds injected markup (negative control)", async () => {
  const { ctx, page, dialogs } = await contextFor(null);
  await page.setContent(`<div>${IMG}</div><a href="${JS_URL}">x</a>`);
  const found = await injected(page);
  assert.ok(found.some((f) => f.startsWith("IMG")), JSON.stringify(found));
  assert.ok(found.some((f) => f.startsWith("A[href")), JSON.stringify(found));
  assert.deepEqual(dialogs, []);
  await ctx.close();
});

test("payloads in every writable text field stay inert text on every page, for every role", async () => {
  const { base } = server;
  const headers = { Origin: base };
  const admin = await contextFor("admin");
  const reviewer = await contextFor("reviewer");
  const editor = await contextFor("editor");
  const anon = await contextFor(null);
  const api = (who) => who.page.request;

  // A society with payloads in its names and contact (administrator, API).
  const society = {
    code: "A-98",
    name: P("社名", 100),
    short_name: SCRIPT.slice(0, 40),
    discipline_group: "理科",
    supporting_unit: P("单位", 100),
    contact_name: IMG.slice(0, 50),
    contact_phone: "",
    contact_email: "",
  };
  await ok(await api(admin).post(`${base}/api/v1/societies`, { headers, data: society }), "society");
  // The editor's display name.
  const users = await ok(await api(admin).get(`${base}/api/v1/users`), "users");
  const list = Array.isArray(users) ? users : users.users ?? users.items;
  const editorUser = list.find((u) => u.username === "editor");
  assert.ok(editorUser, JSON.stringify(users).slice(0, 500));
  const displayName = `编辑${SCRIPT}${TEMPLATE}`.slice(0, 60);
  await ok(
    await api(admin).patch(`${base}/api/v1/users/${editorUser.id}`, { headers, data: { display_name: displayName } }),
    "display name",
  );

  // The plan: payloads in every text of a submittable plan (editor, API).
  const planTask = (n) => ({
    number: n,
    responsible: [{ name: P(`责${n}`, 200), position: P("职", 200) }],
    targets: [{ metric: P("指标", 200), unit: P("单位", 200), baseline: 0, target: 2, due: "2017-12-31" }],
    milestones: [{ date: "2017-09-30", what: P("节点", 200) }],
    notes: P(`备注${n}`),
  });
  const plan = { summary: P("总体"), tasks: [1, 2, 3, 4, 5, 6, 7, 12, 13, 16, 20, 23].map(planTask) };
  await ok(await api(editor).post(`${base}/api/v1/societies/A-01/plans/2017`, { headers, data: {} }), "open plan");
  const draft = await ok(await api(editor).put(`${base}/api/v1/societies/A-01/plans/2017/draft`, { headers, data: plan }), "plan draft");
  assert.equal(draft.submittable, true, JSON.stringify(draft.issues ?? draft).slice(0, 800));
  await ok(await api(editor).post(`${base}/api/v1/societies/A-01/plans/2017/submit`, { headers }), "submit plan");
  // Returned with payload comments, resubmitted, accepted (reviewer).
  await ok(
    await api(reviewer).post(`${base}/api/v1/societies/A-01/plans/2017/review`, {
      headers,
      data: { decision: "return", comment: P("退回意见"), task_comments: { 1: P("任务意见") } },
    }),
    "return plan",
  );
  // The returned plan shows both comments to the editor (per-task comments only until accepted).
  await visit(editor.page, editor.dialogs, base, "/societies/A-01/plans/2017", [P("退回意见"), P("任务意见")]);
  await ok(await api(editor).put(`${base}/api/v1/societies/A-01/plans/2017/draft`, { headers, data: plan }), "plan draft 2");
  await ok(await api(editor).post(`${base}/api/v1/societies/A-01/plans/2017/submit`, { headers }), "resubmit plan");
  await ok(
    await api(reviewer).post(`${base}/api/v1/societies/A-01/plans/2017/review`, { headers, data: { decision: "accept" } }),
    "accept plan",
  );

  // The June report: narrative and progress, then a reviewer's comment.
  const opened = await ok(await api(editor).post(`${base}/api/v1/societies/A-01/reports/2017/6`, { headers, data: {} }), "open report");
  const content = structuredClone(opened.report.draft ?? opened.report.content);
  assert.ok(content && Array.isArray(content.tasks), JSON.stringify(opened.report).slice(0, 500));
  content.narrative = P("月报");
  content.tasks[0].progress = P("进展");
  content.tasks[0].status = "in_progress";
  await ok(await api(editor).put(`${base}/api/v1/societies/A-01/reports/2017/6/draft`, { headers, data: content }), "report draft");
  // Evidence with a hostile file name.
  const evidenceName = `${IMG}${TEMPLATE}.pdf`;
  const evidence = await ok(
    await api(editor).post(`${base}/api/v1/societies/A-01/evidence`, {
      headers,
      multipart: {
        owner_type: "report",
        year: "2017",
        month: "6",
        file: { name: evidenceName, mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n%%EOF\n") },
      },
    }),
    "evidence",
  );
  await ok(await api(editor).post(`${base}/api/v1/societies/A-01/reports/2017/6/submit`, { headers }), "submit report");
  await ok(
    await api(reviewer).post(`${base}/api/v1/societies/A-01/reports/2017/6/review`, {
      headers,
      data: { decision: "comment", comment: P("月报意见") },
    }),
    "report comment",
  );
  // Facts, and a written justification of a rule's verdict (the facts' free text).
  await ok(
    await api(editor).put(`${base}/api/v1/societies/A-01/facts?year=2017`, {
      headers,
      data: { as_of: "2017-06-30", values: { members_now: 11800 } },
    }),
    "facts",
  );
  await ok(
    await api(editor).post(`${base}/societies/A-01/justifications`, {
      headers,
      form: { year: "2017", rule: "members-growth", text: P("说明") },
      maxRedirects: 0,
    }),
    "justification",
    [303],
  );
  // Bulletins: one for June, then a correction with a payload reason (administrator).
  await ok(await api(admin).post(`${base}/api/v1/bulletins`, { headers, data: { year: 2017, month: 6 } }), "bulletin");
  await ok(
    await api(admin).post(`${base}/api/v1/bulletins`, {
      headers,
      data: { year: 2017, month: 6, corrects: [1], correction_note_zh: P("更正"), correction_note_en: P("Fix") },
    }),
    "correction",
  );

  const planPage = ["/societies/A-01/plans/2017", [P("总体"), P("备注1"), P("责1", 200), P("指标", 200), P("节点", 200), P("退回意见")]];
  const versions = ["/societies/A-01/plans/2017/versions", []];
  const report = ["/societies/A-01/reports/2017/6", [P("月报"), P("进展"), P("月报意见"), evidence.name]];
  const facts = ["/societies/A-01/facts", []];
  const home = ["/societies/A-01?year=2017", [P("说明")]];
  const staffPages = [
    planPage,
    versions,
    report,
    facts,
    home,
    ["/societies/A-01/reports/2017", []],
    ["/societies/A-98", [society.name, society.short_name, society.supporting_unit, society.contact_name]],
    ["/societies", [society.name]],
    ["/reviews/plans", []],
    ["/dashboard?year=2017&month=6", [society.name]],
    ["/bulletins", [P("更正")]],
    ["/monitor", [society.name]],
    ["/inbox", []],
  ];
  const roles = [
    [admin, [...staffPages, ["/admin/users", [displayName]], ["/admin/audit", []], ["/admin/bulletins", []]]],
    [reviewer, staffPages],
    [editor, [planPage, versions, report, facts, home, ["/societies/A-01/reports/2017", []], ["/inbox", []], ["/account", [displayName]]]],
    [anon, [["/", []], ["/bulletins", [P("更正")]], ["/monitor", [society.name]], ["/monitor/societies/A-98", [society.name]]]],
  ];
  for (const [who, pages] of roles) {
    for (const [path, expect] of pages) await visit(who.page, who.dialogs, base, path, expect);
  }
  for (const who of [admin, reviewer, editor, anon]) await who.ctx.close();
});
