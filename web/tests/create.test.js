// Flows: create a project from the form and watch its timeline reach completed
// live over SSE; a 422 schema error is shown inline at the offending field;
// the timeline's Cancel button cancels a queued and a running op.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, screenshot, apiCall, createProject, specFor, stepGate, waitOp } from './harness.js';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.teardown(); });

test('with no project selected, the empty workspace follows the inventory: welcome, then a selection hint', async () => {
  const { page, server } = env;
  await page.goto(server.url);
  await page.locator('.ws-empty', { hasText: 'Welcome to paas' }).waitFor({ timeout: 15_000 });
  const { projectId } = await createProject(server, 'web-welcome'); // by another client: the feed brings it in
  await page.locator('.ws-empty', { hasText: 'Select a project' }).waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('.ws-empty', { hasText: 'Welcome to paas' }).count(), 0);
  const project = (await apiCall(server, 'GET', `api/projects/${projectId}`)).body;
  const del = await apiCall(server, 'POST', 'api/events/registration', { action: 'delete', project_id: projectId, spec: project.spec });
  assert.equal(del.status, 202, JSON.stringify(del.body));
  await waitOp(server, del.body.op.id);
  await page.locator('.ws-empty', { hasText: 'Welcome to paas' }).waitFor({ timeout: 15_000 });
});

test('422 details are shown inline at the name field', async () => {
  const { page, server } = env;
  await page.goto(`${server.url}#/new`);
  await page.fill('#spec-name', 'Not A Valid Name!');
  await page.click('#spec-submit');
  const fieldError = page.locator('.field[data-path="/spec/name"] .field-error');
  await fieldError.first().waitFor({ timeout: 15_000 });
  assert.match(await fieldError.first().textContent(), /\/spec\/name/);
  assert.equal(await page.getAttribute('#spec-name', 'aria-invalid'), 'true');
  assert.match(await page.textContent('.error-banner'), /not valid/i);
  await screenshot(page, 'web-422-inline');
  const list = await apiCall(server, 'GET', 'api/projects');
  assert.equal(list.body.projects.length, 0, 'an invalid spec must not create a project');
});

test('create a project from the form and watch the timeline complete live', async () => {
  const { page, server } = env;
  await page.goto(`${server.url}#/new`);
  await page.fill('#spec-name', 'web-demo');
  await page.fill('#spec-environments', 'dev, staging, prod');
  await page.click('#spec-submit');
  await page.waitForURL(/#\/ops\//, { timeout: 15_000 });
  const opId = decodeURIComponent(page.url().split('#/ops/')[1]);
  const timeline = page.locator(`.timeline[data-op-id="${opId}"]`);
  await timeline.waitFor();
  await page.locator('#timeline-status[data-status="completed"]').waitFor({ timeout: 120_000 });
  await screenshot(page, 'web-create-timeline-completed');

  const modes = (await timeline.getAttribute('data-modes-seen')) || '';
  assert.match(modes, /\blive\b/, `timeline should have streamed over SSE, modes seen: ${modes}`);
  const steps = await page.locator('.step').evaluateAll((els) => els.map((e) => [e.dataset.step, e.dataset.status]));
  assert.ok(steps.length >= 1, 'timeline lists the steps');
  assert.ok(steps.some(([n]) => n === 'registrar'), `registrar step shown: ${JSON.stringify(steps)}`);
  for (const [name, status] of steps) assert.equal(status, 'completed', `step ${name}`);

  const snap = await apiCall(server, 'GET', `api/ops/${encodeURIComponent(opId)}`);
  assert.equal(snap.body.status, 'completed');
  const item = page.locator('.project-item', { hasText: 'web-demo' });
  await item.waitFor();
  assert.equal(await page.locator('#project-title').textContent(), 'web-demo');
});

test('a spec edited in YAML mode is sent as application/yaml and accepted', async () => {
  const { page, server } = env;
  await page.goto(`${server.url}#/new`);
  await page.click('[role=tab][data-mode="yaml"]');
  assert.equal(await page.locator('#spec-name').isVisible(), false, 'the form is hidden in YAML mode');
  const yaml = await page.$eval('#spec-text', (el) => el.value);
  assert.match(yaml, /^apiVersion: platform\.example\.com\/v2$/m);
  await page.fill('#spec-text', yaml.replace(/^name: .*$/m, 'name: web-yaml'));
  const req = page.waitForRequest((r) => r.url().endsWith('/api/events/registration') && r.method() === 'POST');
  await page.click('#spec-submit');
  const sent = await req;
  assert.match(sent.headers()['content-type'], /application\/yaml/);
  assert.match(sent.postData(), /^action: create\nspec:\n {2}apiVersion:/);
  await page.waitForURL(/#\/ops\//, { timeout: 15_000 });
  await page.locator('#timeline-status[data-status="completed"]').waitFor({ timeout: 120_000 });
  const list = await apiCall(server, 'GET', 'api/projects?q=web-yaml');
  assert.ok(list.body.projects.some((p) => p.name === 'web-yaml'), 'project registered from YAML');
});

test('the form edits each environment\'s vars and replicas, and shows a 422 on that environment', async () => {
  const { page, server } = env;
  await page.goto(`${server.url}#/new`);
  await page.fill('#spec-name', 'web-envs');
  await page.fill('#spec-environments', 'dev, qa, prod');
  await page.locator('#spec-environments').dispatchEvent('change');
  await page.locator('#spec-env-qa-vars').waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('#spec-env-staging-vars').count(), 0, 'a removed environment loses its block');
  await page.fill('#spec-env-dev-vars', 'LOG_LEVEL=debug\nGREETING=hello dev');
  await page.fill('#spec-env-qa-replicas', '3');
  await page.fill('#spec-env-qa-vars', 'bad-name=1');
  await page.click('[role=tab][data-mode="yaml"]'); // the form's values carry over to YAML and back
  assert.match(await page.$eval('#spec-text', (el) => el.value), /GREETING: hello dev/);
  await page.click('[role=tab][data-mode="form"]');
  assert.match(await page.inputValue('#spec-env-dev-vars'), /GREETING=hello dev/);
  await page.click('#spec-submit');
  const error = page.locator('.field[data-path="/spec/environments/qa"] .field-error');
  await error.first().waitFor({ timeout: 15_000 });
  assert.match(await error.first().textContent(), /\/spec\/environments\/qa\/vars/);
  assert.equal(await page.getAttribute('#spec-env-qa-vars', 'aria-invalid'), 'true');
  await page.fill('#spec-env-qa-vars', 'QA_ONLY=1');
  await page.click('#spec-submit');
  await page.waitForURL(/#\/ops\//, { timeout: 15_000 });
  await page.locator('#timeline-status[data-status="completed"]').waitFor({ timeout: 120_000 });
  const spec = (await apiCall(server, 'GET', 'api/projects/web-envs')).body.spec;
  assert.deepEqual(spec.environments.dev.vars, { LOG_LEVEL: 'debug', GREETING: 'hello dev' });
  assert.equal(spec.environments.qa.replicas, 3);
  assert.deepEqual(spec.environments.qa.vars, { QA_ONLY: '1' });
});

test('422 details in YAML mode point at the line of the offending key', async () => {
  const { page, server } = env;
  await page.goto(`${server.url}#/new`);
  await page.click('[role=tab][data-mode="yaml"]');
  const yaml = await page.$eval('#spec-text', (el) => el.value);
  await page.fill('#spec-text', yaml.replace(/^name: .*$/m, 'name: Bad_Name'));
  await page.click('#spec-submit');
  const item = page.locator('#spec-text-errors li[data-path="/spec/name"]');
  await item.waitFor({ timeout: 15_000 });
  const line = yaml.split('\n').findIndex((l) => l.startsWith('name:')) + 1;
  assert.match(await item.textContent(), new RegExp(`^Line ${line}`));
  await item.locator('button').click();
  // #spec-text is CodeMirror's editable element, or a textarea if CodeMirror could not load: both have value and selectionStart/End.
  const selected = await page.evaluate(() => { const t = document.querySelector('#spec-text'); return t.value.slice(t.selectionStart, t.selectionEnd); });
  assert.equal(selected, 'name: Bad_Name');
  await screenshot(page, 'web-422-yaml-line');
});

test('the timeline Cancel button cancels a queued op at once and a running op at its step boundary', async () => {
  const { page, server } = env;
  const { projectId } = await createProject(server, 'web-cancel', ['dev']);
  const gate = stepGate(server, projectId);
  const update = async (seq) => {
    const spec = specFor('web-cancel', ['dev']);
    spec.environments.dev.vars.SEQ = seq;
    const r = await apiCall(server, 'POST', 'api/events/registration', { action: 'update', project_id: projectId, spec });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    return r.body.op.id;
  };
  const running = await update('1');
  const queued = await update('2');
  try {
    await gate.waitHeld();
    await page.goto(`${server.url}#/ops/${encodeURIComponent(queued)}`);
    await page.locator('#timeline-status[data-status="queued"]').waitFor({ timeout: 15_000 });
    await page.click('#timeline-cancel');
    await page.locator('#timeline-status[data-status="cancelled"]').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('#timeline-cancel').count(), 0, 'no Cancel button once the op ended');

    await page.goto(`${server.url}#/ops/${encodeURIComponent(running)}`);
    await page.locator('#timeline-status[data-status="running"]').waitFor({ timeout: 15_000 });
    await page.click('#timeline-cancel');
    const requested = page.locator('#timeline-cancel[data-requested="true"]');
    await requested.waitFor({ timeout: 15_000 });
    assert.equal(await requested.textContent(), 'Cancelling…');
    assert.ok(await requested.isDisabled(), 'a requested cancel cannot be sent twice');
    await screenshot(page, 'web-cancel-requested');
  } finally {
    gate.release();
  }
  await page.locator('#timeline-status[data-status="cancelled"]').waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('#timeline-cancel').count(), 0);
  const steps = Object.fromEntries(await page.locator('.step').evaluateAll((els) => els.map((e) => [e.dataset.step, e.dataset.status])));
  assert.equal(steps.repoBootstrap, 'completed', JSON.stringify(steps));
  assert.equal(steps.imageBuilder, 'pending', JSON.stringify(steps));
  const queuedOp = await apiCall(server, 'GET', `api/ops/${encodeURIComponent(queued)}`);
  assert.equal(queuedOp.body.started_at, null, 'the queued op never ran');
  await screenshot(page, 'web-cancelled');
});

test('delete a project from the Spec tab after a confirmation', async () => {
  const { page, server } = env;
  await page.goto(`${server.url}#/projects/web-demo/spec`);
  await page.locator('#spec-name').waitFor({ timeout: 15_000 });
  assert.equal(await page.inputValue('#spec-name'), 'web-demo', 'the editor shows the stored spec');
  await page.click('#project-delete');
  await page.locator('#confirm-dialog[open]').waitFor();
  await page.click('#confirm-ok');
  await page.waitForURL(/#\/ops\//, { timeout: 15_000 });
  await page.locator('#timeline-status[data-status="completed"]').waitFor({ timeout: 60_000 });
  await page.locator('.project-item[data-project-id="web-demo"]').waitFor({ state: 'detached', timeout: 15_000 });
  const list = await apiCall(server, 'GET', 'api/projects');
  assert.ok(!list.body.projects.some((p) => p.id === 'web-demo'), 'project is gone from the inventory');
  await screenshot(page, 'web-deleted');
});
