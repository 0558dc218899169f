// Flows: deploy to dev; release refused before staging has anything; promote
// and release with the production confirmation (diff); rollback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setup, screenshot, createProject, apiCall, waitOp } from './harness.js';

let env;
let projectId;
before(async () => {
  env = await setup();
  ({ projectId } = await createProject(env.server, 'web-delivery', ['dev', 'staging', 'prod']));
});
after(async () => { await env?.teardown(); });

const node = (env_) => `.env-node[data-env="${env_}"]`;

async function openDelivery() {
  const { page, server } = env;
  await page.goto('about:blank');
  await page.goto(`${server.url}#/projects/${projectId}/delivery`);
  await page.locator('.env-path').waitFor({ timeout: 15_000 });
}

const activityOp = () => env.page.evaluate(() => document.querySelector('#delivery-activity')?.dataset.opId || null);

/** Click an action button and wait until the op it started is terminal; asserts the final status. */
async function runAction(selector, status = 'completed') {
  const { page } = env;
  const before = await activityOp();
  await page.click(selector);
  await finishActivity(before, status);
}

async function finishActivity(before, status = 'completed') {
  const { page } = env;
  await page.waitForFunction((prev) => {
    const a = document.querySelector('#delivery-activity');
    return a && a.dataset.opId && a.dataset.opId !== prev && ['completed', 'failed'].includes(a.dataset.status);
  }, before, { timeout: 120_000 });
  assert.equal(await page.getAttribute('#delivery-activity', 'data-status'), status, await page.textContent('#delivery-activity'));
}

test('environment path is drawn dev first, prod last', async () => {
  await openDelivery();
  const envs = await env.page.locator('.env-node').evaluateAll((els) => els.map((e) => e.dataset.env));
  assert.deepEqual(envs, ['dev', 'staging', 'prod']);
});

test('a custom middle environment keeps the place the spec gives it, in the path, the header and the form', async () => {
  const { page, server } = env;
  const { projectId: id } = await createProject(server, 'web-order', ['prod', 'staging', 'qa', 'dev']);
  assert.deepEqual((await apiCall(server, 'GET', `api/projects/${id}`)).body.environment_order, ['dev', 'staging', 'qa', 'prod']);
  await page.goto(`${server.url}#/projects/${id}/delivery`);
  await page.locator('.env-path').waitFor({ timeout: 15_000 });
  const envs = await page.locator('.env-node').evaluateAll((els) => els.map((e) => e.dataset.env));
  assert.deepEqual(envs, ['dev', 'staging', 'qa', 'prod'], 'not alphabetical (qa before staging)');
  assert.match(await page.textContent('.ws-meta'), /dev → staging → qa → prod/);
  await page.goto(`${server.url}#/projects/${id}/spec`);
  await page.locator('#spec-environments').waitFor({ timeout: 15_000 });
  assert.equal(await page.inputValue('#spec-environments'), 'dev, staging, qa, prod');
  const blocks = await page.locator('.env-fields').evaluateAll((els) => els.map((e) => e.dataset.env));
  assert.deepEqual(blocks, ['dev', 'staging', 'qa', 'prod']);
});

test('release is refused before staging has anything', async () => {
  const { page, server } = env;
  await openDelivery();
  const release = page.locator('#release-staging-prod');
  assert.equal(await release.isDisabled(), true, 'Release button is disabled');
  assert.match(await page.textContent('#release-staging-prod-why'), /Nothing deployed in staging/);
  assert.equal(await page.locator('#promote-dev-staging').isDisabled(), true, 'Promote is disabled before dev has a release');
  const r = await apiCall(server, 'POST', 'api/events/release', { project_id: projectId, from_env: 'staging', to_env: 'prod' });
  assert.equal(r.status, 409, `server guardrail: ${JSON.stringify(r.body)}`);
  assert.ok(r.body?.error?.code, 'error shape has a code');
  await screenshot(page, 'web-release-refused');
});

test('deploy to dev', async () => {
  const { page } = env;
  await openDelivery();
  await runAction('#deploy-dev');
  await page.locator(`${node('dev')}.has-release`).waitFor({ timeout: 15_000 });
  assert.match(await page.textContent(node('dev')), /Release #\d+/);
  assert.equal(await page.locator('#promote-dev-staging').isDisabled(), false);
  // Artifact mode builds no image to run: every environment's run mode is none, so no dot and no run controls.
  const envs = (await apiCall(env.server, 'GET', `api/projects/${projectId}/environments`)).body.environments;
  assert.deepEqual(envs.map((e) => e.run?.mode), ['none', 'none', 'none']);
  assert.equal(await page.locator('.run-dot, .run-state, [id^="run-open-"], [id^="run-stop-"], [id^="run-start-"], [id^="run-logs-"]').count(), 0);
  await screenshot(page, 'web-deploy-dev');
});

test('promote to staging, then release to prod through the confirmation dialog', async () => {
  const { page } = env;
  await openDelivery();
  await runAction('#promote-dev-staging');
  await page.locator(`${node('staging')}.has-release`).waitFor({ timeout: 15_000 });

  await page.click('#release-staging-prod');
  const dialog = page.locator('#confirm-dialog[open]');
  await dialog.waitFor();
  await page.locator('#confirm-dialog .release-confirm').waitFor({ timeout: 15_000 });
  await screenshot(page, 'web-release-confirm');
  await page.click('#confirm-cancel');
  assert.equal(await page.locator(`${node('prod')}.has-release`).count(), 0, 'cancel releases nothing');

  await page.click('#release-staging-prod');
  await page.locator('#confirm-dialog .release-confirm').waitFor({ timeout: 15_000 });
  const prev = await activityOp();
  await page.click('#confirm-ok');
  await finishActivity(prev);
  await page.locator(`${node('prod')}.has-release`).waitFor({ timeout: 15_000 });
  await screenshot(page, 'web-released-prod');
});

function commitToSource() {
  const repo = path.join(env.server.dir, 'artifacts', projectId, 'repos', 'source');
  assert.ok(fs.existsSync(repo), `source repo exists at ${repo}`);
  fs.writeFileSync(path.join(repo, 'CHANGE.md'), `change ${Date.now()}\n`);
  const git = (...a) => execFileSync('git', ['-C', repo, '-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', ...a], { encoding: 'utf8' }).trim();
  git('add', 'CHANGE.md');
  git('commit', '-q', '-m', 'e2e: second build');
  return git('rev-parse', 'HEAD');
}

test('rollback dev to an earlier release', async () => {
  const { page, server } = env;
  const commit = commitToSource();
  const hook = await apiCall(server, 'POST', 'api/webhooks/source', { project_id: projectId, repo: 'source', branch: 'main', commit });
  if (hook.status === 202) await waitOp(server, hook.body.op.id);
  else assert.match(hook.body?.reason || '', /already processed/, `webhook: ${JSON.stringify(hook.body)}`);
  const ops = (await apiCall(server, 'GET', `api/projects/${projectId}/ops`)).body.ops;
  const ci = ops.find((o) => o.kind === 'ci');
  assert.ok(ci, 'a ci op exists for the new commit');
  await waitOp(server, ci.id);

  await openDelivery();
  const before = await page.textContent(node('dev'));
  await runAction('#deploy-dev');
  await page.waitForFunction((sel) => document.querySelector(`${sel} .rel-num`)?.textContent === 'Release #2', node('dev'), { timeout: 15_000 })
    .catch(async (e) => { await screenshot(page, 'web-rollback-failed'); throw new Error(`${e.message}; dev shows: ${await page.textContent(node('dev'))}`); });
  assert.notEqual(await page.textContent(node('dev')), before);

  const rollbackBtn = page.locator('[data-release="1"] button[data-rollback]');
  await rollbackBtn.waitFor({ timeout: 15_000 });
  const beforeRollback = await activityOp();
  await rollbackBtn.click();
  await page.locator('#confirm-dialog[open]').waitFor();
  await page.click('#confirm-ok');
  await finishActivity(beforeRollback);
  const rel = await apiCall(server, 'GET', `api/projects/${projectId}/environments`);
  const devEnv = rel.body.environments.find((e) => e.name === 'dev');
  // The contract calls the current release `release`; the engine currently sends `current`.
  const dev = { release: devEnv.release || devEnv.current };
  const history = (await apiCall(server, 'GET', `api/projects/${projectId}/releases?env=dev`)).body.releases;
  const first = history.find((r) => r.number === 1);
  assert.equal(dev.release.image, first.image, 'dev runs release #1 image again');
  assert.equal(dev.release.commit, first.commit);
  await page.waitForFunction((img) => document.querySelector('.env-node[data-env="dev"] .rel-image')?.title === img, first.image, { timeout: 15_000 });
  await screenshot(page, 'web-rollback');
});
