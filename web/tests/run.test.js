// Flow (issue 16): environments that run. The real paas builds a busybox app
// (FROM scratch) with the BuildKit of a real Docker engine and runs dev there;
// the delivery panel shows the state dot, Open answers with dev's var, the
// Logs drawer shows and follows the container's output, Stop and Start work,
// and deleting the project removes its containers.
// Needs PAAS_TEST_DOCKER_SOCK (the "dockerd" fixture of tests/integration/buildkit
// sets it): without it this flow fails, it never skips. The fixture's engine has
// no bridge network: PAAS_RUN_NETWORK=host.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setup, screenshot, apiCall, waitOp, specFor } from './harness.js';

const SOCK = process.env.PAAS_TEST_DOCKER_SOCK;
const DOCKERFILE = 'FROM scratch\nCOPY --chmod=0755 busybox /bin/busybox\nCOPY app.sh /app.sh\nCMD ["/bin/busybox", "sh", "/app.sh"]\n';
const APP_SH = ['/bin/busybox mkdir -p /www', 'echo ok > /www/healthz', 'echo "$GREETING" > /www/index.html', 'echo "started on $PORT"',
  'exec /bin/busybox httpd -f -vv -p 127.0.0.1:$PORT -h /www', ''].join('\n');
const GIT_ENV = { GIT_AUTHOR_NAME: 'e2e', GIT_AUTHOR_EMAIL: 'e2e@example.invalid', GIT_COMMITTER_NAME: 'e2e',
  GIT_COMMITTER_EMAIL: 'e2e@example.invalid', GIT_CONFIG_NOSYSTEM: '1' };

let env;
let projectId;
const node = (e) => `.env-node[data-env="${e}"]`;

/** GET on the Docker engine's socket (test side): the project's containers, running or not. */
function containersOf(id) {
  const filters = encodeURIComponent(JSON.stringify({ label: [`paas.project=${id}`] }));
  return new Promise((resolve, reject) => {
    http.get({ socketPath: SOCK, path: `/containers/json?all=1&filters=${filters}` }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => { try { resolve(JSON.parse(body)); } catch (e) { reject(e); } });
    }).on('error', reject);
  });
}

function removeContainer(cid) {
  return new Promise((resolve) => {
    http.request({ socketPath: SOCK, method: 'DELETE', path: `/containers/${cid}?force=1` }, (res) => { res.resume(); res.on('end', resolve); })
      .on('error', resolve).end();
  });
}

async function fetchText(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, text: await res.text() };
}

/** busybox, app.sh and the Dockerfile in the source repo (hooks off), then a build through the webhook. */
async function commitAppAndBuild(server) {
  const repo = path.join(server.dir, 'artifacts', projectId, 'repos', 'source');
  assert.ok(fs.existsSync(repo), `source repo exists at ${repo}`);
  fs.copyFileSync('/bin/busybox', path.join(repo, 'busybox'));
  fs.writeFileSync(path.join(repo, 'app.sh'), APP_SH);
  fs.writeFileSync(path.join(repo, 'Dockerfile'), DOCKERFILE);
  const git = (...a) => execFileSync('git', ['-C', repo, '-c', 'core.hooksPath=/dev/null', ...a], { encoding: 'utf8', env: { ...process.env, ...GIT_ENV } }).trim();
  git('add', 'busybox', 'app.sh', 'Dockerfile');
  git('commit', '-q', '-m', 'e2e: a busybox app');
  const commit = git('rev-parse', 'HEAD');
  const hook = await apiCall(server, 'POST', 'api/webhooks/source', { project_id: projectId, repo: 'source', branch: 'main', commit });
  assert.equal(hook.status, 202, `webhook: ${JSON.stringify(hook.body)}`);
  const ci = await waitOp(server, hook.body.op.id, 300_000);
  assert.equal(ci.status, 'completed', `ci op: ${JSON.stringify(ci.error || ci.steps)}`);
  const ops = (await apiCall(server, 'GET', `api/projects/${projectId}/ops`)).body.ops;
  assert.ok(ops.some((o) => o.kind === 'ci' && o.status === 'completed'), 'the ci op is listed as completed');
}

before(async () => {
  assert.ok(SOCK, 'PAAS_TEST_DOCKER_SOCK is not set: this flow needs a Docker engine (ctest sets it from the "dockerd" fixture)');
  assert.ok(fs.existsSync(SOCK), `no Docker engine socket at ${SOCK}`);
  assert.ok(fs.existsSync('/bin/busybox'), 'busybox-static is not installed (installer/deps-debian.sh --test)');
  const first = 44000 + 30 * Math.floor(Math.random() * 133); // a block of 30 in 44000-47989
  env = await setup({ server: { env: {
    PAAS_IMAGE_BUILDER_MODE: 'buildkit', PAAS_BUILDKIT_ADDR: `docker://${SOCK}`, PAAS_BUILD_NETWORK: 'host',
    PAAS_RUN_NETWORK: 'host', PAAS_RUN_HEALTH_TIMEOUT_S: '20', PAAS_RUN_PORTS: `${first}-${first + 29}`,
  } } });
  const name = `web-run-${Math.floor(Math.random() * 1e6)}`;
  const spec = { ...specFor(name), runtime: 'static', environments: { dev: { vars: { GREETING: 'hello-ui' } }, prod: {} } };
  const r = await apiCall(env.server, 'POST', 'api/events/registration', { action: 'create', spec });
  assert.equal(r.status, 202, `create: ${JSON.stringify(r.body)}`);
  const created = await waitOp(env.server, r.body.op.id, 300_000);
  assert.equal(created.status, 'completed', `create op: ${JSON.stringify(created.error || created.steps)}`);
  projectId = r.body.op.project_id || created.project_id;
  await commitAppAndBuild(env.server);
});

after(async () => {
  if (env && projectId) {
    const del = await apiCall(env.server, 'POST', 'api/events/registration', { action: 'delete', project_id: projectId }).catch(() => null);
    if (del?.status === 202) await waitOp(env.server, del.body.op.id).catch(() => {});
    for (const c of await containersOf(projectId).catch(() => [])) await removeContainer(c.Id); // a failed case leaves none behind
  }
  await env?.teardown();
});

async function openDelivery() {
  const { page, server } = env;
  await page.goto('about:blank');
  await page.goto(`${server.url}#/projects/${projectId}/delivery`);
  await page.locator('.env-path').waitFor({ timeout: 15_000 });
}

/** Click an action button and wait until the op it started is terminal (the activity bar). */
async function runAction(selector, status = 'completed') {
  const { page } = env;
  const prev = await page.evaluate(() => document.querySelector('#delivery-activity')?.dataset.opId || null);
  await page.click(selector);
  await page.waitForFunction((p) => {
    const a = document.querySelector('#delivery-activity');
    return a && a.dataset.opId && a.dataset.opId !== p && ['completed', 'failed', 'cancelled'].includes(a.dataset.status);
  }, prev, { timeout: 180_000 });
  assert.equal(await page.getAttribute('#delivery-activity', 'data-status'), status, await page.textContent('#delivery-activity'));
}

const waitState = (e, state, timeout = 60_000) => env.page.locator(`${node(e)} .run-dot[data-state="${state}"]`).waitFor({ timeout });

test('deploy dev from the delivery panel: the dot turns running and Open answers with dev\'s var', async () => {
  const { page, server } = env;
  await openDelivery();
  const envs = (await apiCall(server, 'GET', `api/projects/${projectId}/environments`)).body.environments;
  assert.deepEqual(envs.map((e) => [e.name, e.run.mode]), [['dev', 'docker'], ['prod', 'none']]);
  assert.equal(await page.locator(`${node('dev')} .run-dot`).count(), 0, 'nothing runs before the first deploy: no dot');
  assert.equal(await page.locator('#run-stop-dev, #run-start-dev, #run-logs-dev, #run-open-dev').count(), 0, 'and no controls');

  await runAction('#deploy-dev');
  await waitState('dev', 'running');
  assert.match(await page.textContent(`${node('dev')} .run-state`), /Running/);
  assert.match(await page.getAttribute(`${node('dev')} .run-state`, 'title'), /health ok \(HTTP 200\)/);
  const open = page.locator('#run-open-dev');
  const href = await open.getAttribute('href');
  assert.match(href, /^http:\/\/127\.0\.0\.1:\d+\/?$/);
  assert.equal(await open.getAttribute('target'), '_blank');
  assert.equal(await open.getAttribute('rel'), 'noopener noreferrer');
  assert.equal((await fetchText(href)).text.trim(), 'hello-ui');
  assert.equal(await page.locator(`${node('prod')} .run-dot, #run-stop-prod, #run-logs-prod`).count(), 0, 'prod (run: none) shows no run state');
  await screenshot(page, 'web-run-dev-running');
});

test('the Logs drawer shows the container output, follows it live and closes with Escape or a project change', async () => {
  const { page, server } = env;
  await openDelivery();
  await page.click('#run-logs-dev');
  const drawer = page.locator('#logs-drawer[role="dialog"]');
  await drawer.waitFor({ timeout: 15_000 });
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'logs-close', 'focus moves to the close button');
  await page.locator('#logs-lines .log-line', { hasText: 'started on' }).first().waitFor({ timeout: 15_000 });
  await page.locator('#logs-drawer[data-state="following"]').waitFor({ timeout: 15_000 });
  const probe = `/probe-${Date.now()}`;
  const href = await page.getAttribute('#run-open-dev', 'href');
  await fetchText(new URL(probe, href).href);
  await page.locator('#logs-lines .log-line', { hasText: probe }).first().waitFor({ timeout: 20_000 });
  await screenshot(page, 'web-run-logs');

  await page.keyboard.press('Escape');
  await drawer.waitFor({ state: 'detached', timeout: 5_000 });
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'run-logs-dev', 'focus returns to the Logs button');

  await page.click('#run-logs-dev');
  await page.locator('#logs-drawer[data-state="following"]').waitFor({ timeout: 15_000 });
  await page.goto(`${server.url}#/`);
  await drawer.waitFor({ state: 'detached', timeout: 5_000 });
});

test('Stop and Start from the delivery panel; the open drawer sees the stream end', async () => {
  const { page } = env;
  await openDelivery();
  const href = await page.getAttribute('#run-open-dev', 'href');
  await page.click('#run-logs-dev');
  await page.locator('#logs-drawer[data-state="following"]').waitFor({ timeout: 15_000 });

  await runAction('#run-stop-dev');
  await waitState('dev', 'stopped');
  await page.locator('#logs-drawer[data-state="ended"]').waitFor({ timeout: 20_000 });
  assert.match(await page.textContent('#logs-status'), /Stream ended/);
  assert.equal(await page.locator('#run-open-dev').count(), 0, 'no Open link while stopped');
  await fetchText(href).then((r) => assert.notEqual(r.text.trim(), 'hello-ui', 'the URL no longer serves'), () => {});
  await screenshot(page, 'web-run-stopped');

  await runAction('#run-start-dev'); // the drawer is not modal: the panel stays usable
  await waitState('dev', 'running');
  assert.equal((await fetchText(await page.getAttribute('#run-open-dev', 'href'))).text.trim(), 'hello-ui');
  await page.click('#logs-reload');
  await page.locator('#logs-drawer[data-state="following"]').waitFor({ timeout: 15_000 });
  await page.locator('#logs-lines .log-line', { hasText: 'started on' }).first().waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('#logs-reload').isVisible(), false, 'Reload shows only once the stream ended');
  await page.click('#logs-close');
  await page.locator('#logs-drawer').waitFor({ state: 'detached', timeout: 5_000 });
  await screenshot(page, 'web-run-started');
  assert.deepEqual(env.browser.errors, [], 'no uncaught page errors');
});

test('the spec form edits run and autoDeploy (none on prod); the server refuses autoDeploy on prod', async () => {
  const { page, server } = env;
  await page.goto(`${server.url}#/projects/${projectId}/spec`);
  await page.locator('#spec-env-dev-run').waitFor({ timeout: 15_000 });
  assert.equal(await page.inputValue('#spec-env-dev-run'), '', 'run unset shows as default');
  assert.equal(await page.isChecked('#spec-env-dev-autodeploy'), false);
  assert.equal(await page.locator('#spec-env-prod-autodeploy').count(), 0, 'no autoDeploy on prod');
  await page.selectOption('#spec-env-dev-run', 'docker');
  await page.check('#spec-env-dev-autodeploy');
  await page.selectOption('#spec-env-prod-run', 'none');
  await page.click('[role=tab][data-mode="json"]');
  const json = JSON.parse(await page.$eval('#spec-text', (el) => el.value));
  const pick = (e) => ({ vars: e.vars, run: e.run, autoDeploy: e.autoDeploy });
  assert.deepEqual(pick(json.environments.dev), { vars: { GREETING: 'hello-ui' }, run: 'docker', autoDeploy: true });
  assert.deepEqual(pick(json.environments.prod), { vars: {}, run: 'none', autoDeploy: undefined });
  await page.click('[role=tab][data-mode="form"]');
  assert.equal(await page.inputValue('#spec-env-dev-run'), 'docker');
  assert.equal(await page.isChecked('#spec-env-dev-autodeploy'), true);
  await page.selectOption('#spec-env-dev-run', '');
  await page.uncheck('#spec-env-dev-autodeploy');
  await page.click('[role=tab][data-mode="yaml"]');
  const yaml = await page.$eval('#spec-text', (el) => el.value);
  assert.doesNotMatch(yaml.split(/^ {2}prod:/m)[0], /run:|autoDeploy:/, 'default run and a false autoDeploy are left out');
  await page.fill('#spec-text', yaml.replace(/^ {2}prod:\n/m, '  prod:\n    autoDeploy: true\n'));
  await page.click('#spec-submit');
  await page.locator('#spec-text-errors li[data-path="/spec/environments/prod/autoDeploy"]').waitFor({ timeout: 15_000 });
  await screenshot(page, 'web-run-spec-autodeploy-prod');
});

test('deleting the project removes its containers', async () => {
  const { server } = env;
  assert.equal((await containersOf(projectId)).length, 1, 'dev runs one container');
  const del = await apiCall(server, 'POST', 'api/events/registration', { action: 'delete', project_id: projectId });
  assert.equal(del.status, 202, JSON.stringify(del.body));
  assert.equal((await waitOp(server, del.body.op.id)).status, 'completed');
  assert.deepEqual(await containersOf(projectId), []);
  projectId = null;
});
