// Flows: the #/ops/<id> deep link opens an op's timeline; restarting the server
// mid-op, the timeline reconnects (Last-Event-ID / polling) and recovers; with
// the event stream unavailable the timeline falls back to ETag polling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, screenshot, apiCall, specFor, waitOp } from './harness.js';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await openBrowser();
});
after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
});

test('timeline recovers after a server restart mid-op', async () => {
  const { page } = browser;
  const create = await apiCall(server, 'POST', 'api/events/registration', { action: 'create', spec: specFor('web-restart') });
  assert.equal(create.status, 202, JSON.stringify(create.body));
  const projectId = create.body.op.project_id;
  // Queue updates behind the create so the op we watch is still pending at restart time
  // (ops on one project run one at a time). An idle machine runs an update in
  // ~0.1 s, so the queue must be long enough to outlast loading the page.
  let watched = create.body.op.id;
  for (let i = 0; i < 120; i++) {
    const spec = specFor('web-restart');
    spec.environments.dev.vars.REVISION = String(i);
    const r = await apiCall(server, 'POST', 'api/events/registration', { action: 'update', project_id: projectId, spec });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    watched = r.body.op.id;
  }
  await page.goto(`${server.url}#/ops/${encodeURIComponent(watched)}`);
  const timeline = page.locator(`.timeline[data-op-id="${watched}"]`);
  await timeline.waitFor({ timeout: 15_000 });
  await page.locator('#timeline-conn[data-mode="live"], #timeline-conn[data-mode="done"]').waitFor({ timeout: 15_000 });
  const statusAtKill = (await apiCall(server, 'GET', `api/ops/${watched}`)).body.status;
  assert.ok(!['completed', 'failed'].includes(statusAtKill), `the watched op must still be pending at restart (was ${statusAtKill})`);

  const { port, dir } = server;
  await server.stop();
  await page.locator('#timeline-conn[data-mode="reconnecting"], #timeline-conn[data-mode="polling"]').waitFor({ timeout: 20_000 });
  await screenshot(page, 'web-restart-reconnecting');
  server = await startServer({ dir, port });

  const final = await waitOp(server, watched, 180_000);
  await page.locator(`#timeline-status[data-status="${final.status}"]`).waitFor({ timeout: 60_000 });
  await page.locator('#timeline-conn[data-mode="done"]').waitFor({ timeout: 30_000 });
  const modes = await timeline.getAttribute('data-modes-seen');
  assert.match(modes, /live/);
  assert.match(modes, /reconnecting|polling/);
  assert.ok(final.status === 'completed' || final.error?.code, `op ends completed or with a clear error: ${JSON.stringify(final.error)}`);
  await screenshot(page, 'web-restart-recovered');
});

test('timeline falls back to If-None-Match polling when the event stream is unavailable', async () => {
  const { page } = browser;
  await page.route(/\/api\/ops\/[^/]+\/events/, (route) => route.fulfill({ status: 503, contentType: 'text/plain', body: 'stream disabled by test' }));
  const polls = [];
  page.on('response', (r) => {
    if (/\/api\/ops\/[^/]+$/.test(new URL(r.url()).pathname)) polls.push({ status: r.status(), inm: r.request().headers()['if-none-match'] || '' });
  });
  // The page is loaded first; the watched op is then held unfinished by
  // stopping nats-server right after its 202 (12 ops run ahead of it, so
  // none of its steps has run): reads still answer from memory, steps wait.
  // Opened after a page load instead, a fast op could end first, and a
  // finished op is rightly shown without polling (the flake this replaced).
  await page.goto(server.url);
  const natsPid = (await apiCall(server, 'GET', 'api/system')).body.nats.pid;
  assert.ok(natsPid > 0, 'the app reports its nats-server pid');
  const create = await apiCall(server, 'POST', 'api/events/registration', { action: 'create', spec: specFor('web-poll') });
  assert.equal(create.status, 202, JSON.stringify(create.body));
  let watched = create.body.op.id;
  for (let i = 0; i < 12; i++) {
    const spec = specFor('web-poll');
    spec.environments.dev.vars.REVISION = String(i);
    const r = await apiCall(server, 'POST', 'api/events/registration', { action: 'update', project_id: create.body.op.project_id, spec });
    watched = r.body.op.id;
  }
  process.kill(natsPid, 'SIGSTOP');
  try {
    await page.evaluate((hash) => { window.location.hash = hash; }, `#/ops/${encodeURIComponent(watched)}`);
    const timeline = page.locator(`.timeline[data-op-id="${watched}"]`);
    await timeline.waitFor({ timeout: 30_000 });
    await page.waitForFunction((id) => /polling/.test(document.querySelector(`.timeline[data-op-id="${id}"]`)?.dataset.modesSeen || ''), watched, { timeout: 30_000 });
    await page.waitForTimeout(2_000); // a conditional poll while the op cannot move
  } finally {
    process.kill(natsPid, 'SIGCONT');
  }
  await page.locator('#timeline-status[data-status="completed"]').waitFor({ timeout: 120_000 });
  const modes = await page.locator(`.timeline[data-op-id="${watched}"]`).getAttribute('data-modes-seen');
  assert.match(modes, /polling/);
  assert.doesNotMatch(modes, /live/);
  assert.ok(polls.some((p) => p.status === 200), 'snapshots were polled');
  assert.ok(polls.some((p) => p.inm), `conditional polls carry If-None-Match: ${JSON.stringify(polls)}`);
  console.log(`polls: ${polls.length}, 304s: ${polls.filter((p) => p.status === 304).length}`);
  await screenshot(page, 'web-polling-fallback');
  await page.unroute(/\/api\/ops\/[^/]+\/events/);
});
