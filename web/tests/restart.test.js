// Flow: the #/ops/<id> deep link opens an op's timeline; restarting the server
// mid-op, the timeline reconnects (Last-Event-ID / polling) and recovers.
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
  // (ops on one project run one at a time).
  let watched = create.body.op.id;
  for (let i = 0; i < 12; i++) {
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
