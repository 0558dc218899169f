// Issue 11: the inventory loads the project list in pages (limit 100 and
// next_cursor) as the user scrolls, and an op event refreshes only the
// project it names instead of reloading every project.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, apiCall, waitOp, specFor, screenshot } from './harness.js';

const COUNT = 130;
let env;
before(async () => {
  env = await setup();
  const names = Array.from({ length: COUNT }, (_, i) => `inv-${String(i).padStart(3, '0')}`);
  for (let i = 0; i < names.length; i += 10) {
    const accepted = await Promise.all(names.slice(i, i + 10).map((name) =>
      apiCall(env.server, 'POST', 'api/events/registration', { action: 'create', spec: specFor(name, ['dev']) })));
    for (const r of accepted) assert.equal(r.status, 202, JSON.stringify(r.body));
    await Promise.all(accepted.map((r) => waitOp(env.server, r.body.op.id)));
  }
});
after(async () => { await env?.teardown(); });

test('pages load as the list scrolls; an op event re-reads only its project', async () => {
  const { page, server } = env;
  const requests = [];
  page.on('request', (r) => { const u = new URL(r.url()); if (u.pathname.startsWith('/api/projects')) requests.push(u.pathname + u.search); });
  await page.goto(server.url);
  const items = page.locator('.project-item');
  await page.locator('#project-more').waitFor({ timeout: 15_000 });
  assert.equal(await items.count(), 100, 'the first page holds 100 projects');
  assert.match(await page.textContent('#project-count'), new RegExp(`100 of ${COUNT}`));
  const pageRequests = () => requests.filter((u) => u.startsWith('/api/projects?'));
  assert.equal(pageRequests().length, 1);
  assert.match(pageRequests()[0], /limit=100/);

  await page.locator('#project-list').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await page.waitForFunction((n) => document.querySelectorAll('.project-item').length === n, COUNT, { timeout: 15_000 });
  assert.equal(await page.locator('#project-more').count(), 0, 'no "Load more" once every page is in');
  assert.match(pageRequests()[1], /cursor=/);
  const names = await items.evaluateAll((els) => els.map((e) => e.dataset.projectId));
  assert.deepEqual(names, [...names].sort(), 'pages arrive in name order');
  assert.equal(new Set(names).size, COUNT, 'no project twice');

  // An update of one project: the item follows, and the page list is not reloaded.
  const before = pageRequests().length;
  const up = await apiCall(server, 'POST', 'api/events/registration', { action: 'update', project_id: 'inv-120', spec: specFor('inv-120', ['dev', 'staging']) });
  assert.equal(up.status, 202, JSON.stringify(up.body));
  await waitOp(server, up.body.op.id);
  await page.locator('.project-item[data-project-id="inv-120"] .meta', { hasText: 'last: update' }).waitFor({ timeout: 15_000 });
  assert.ok(requests.includes('/api/projects/inv-120'), `the project was re-read: ${requests.slice(-5)}`);
  assert.equal(pageRequests().length, before, `no page reload on an op event: ${pageRequests().slice(before)}`);
  await screenshot(page, 'web-inventory-paged');
});

test('search and sort go to the server, from page one', async () => {
  const { page } = env;
  const requests = [];
  page.on('request', (r) => { const u = new URL(r.url()); if (u.pathname === '/api/projects') requests.push(u.search); });
  await page.fill('#project-search', 'inv-12');
  await page.waitForFunction(() => document.querySelectorAll('.project-item').length === 10, null, { timeout: 15_000 });
  assert.ok(requests.some((q) => q.includes('q=inv-12') && !q.includes('cursor=')), requests.join(' '));
  assert.equal(await page.locator('#project-more').count(), 0);
});
