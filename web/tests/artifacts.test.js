// Flows: browse artifacts and preview registration/project.yaml; Build latest
// source (accepted -> ci timeline, or an ignored reason shown); ignored branch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, screenshot, createProject, waitOp } from './harness.js';

let env;
let projectId;
before(async () => {
  env = await setup();
  ({ projectId } = await createProject(env.server, 'web-artifacts'));
});
after(async () => { await env?.teardown(); });

test('browse artifacts and preview registration/project.yaml', async () => {
  const { page, server } = env;
  await page.goto(`${server.url}#/projects/${projectId}/artifacts`);
  const file = page.locator('.tree-file[data-path="registration/project.yaml"]');
  await file.waitFor({ timeout: 15_000 });
  await file.click();
  const content = page.locator('#preview-content');
  await content.waitFor();
  const text = await content.textContent();
  assert.match(text, /web-artifacts/, 'preview shows the project spec');
  const href = await page.getAttribute('#preview-download', 'href');
  assert.match(href, /artifacts\/registration\/project\.yaml$/);
  const dl = await fetch(new URL(href, server.url));
  assert.equal(dl.status, 200);
  assert.match(await dl.text(), /web-artifacts/);
  await page.locator('#build-outputs').waitFor({ timeout: 10_000 });
  assert.match(await page.textContent('#build-outputs'), /web-artifacts/, 'imageBuilder outputs name the image');
  await screenshot(page, 'web-artifacts-preview');
});

test('Build latest source starts a ci op or shows why it was ignored', async () => {
  const { page, server } = env;
  await page.goto(`${server.url}#/projects/${projectId}`);
  await page.click('#build-latest');
  const outcome = await Promise.race([
    page.waitForURL(/#\/ops\//, { timeout: 20_000 }).then(() => 'op'),
    page.locator('#build-ignored').waitFor({ timeout: 20_000 }).then(() => 'ignored'),
  ]);
  if (outcome === 'op') {
    const opId = decodeURIComponent(page.url().split('#/ops/')[1]);
    await page.locator('#timeline-status[data-status="completed"]').waitFor({ timeout: 120_000 });
    const op = await waitOp(server, opId);
    assert.equal(op.kind, 'ci');
    assert.equal(op.status, 'completed');
  } else {
    assert.match(await page.textContent('#build-ignored'), /^ignored: /);
  }
  await screenshot(page, 'web-build-latest');
});

test('a non-main branch override is ignored and the reason shown', async () => {
  const { page, server } = env;
  await page.goto(`${server.url}#/projects/${projectId}`);
  await page.click('#build-advanced summary');
  await page.fill('#build-branch', 'feature/x');
  await page.click('#build-latest');
  const note = page.locator('#build-ignored');
  await note.waitFor({ timeout: 15_000 });
  assert.match(await note.textContent(), /ignored/);
  assert.doesNotMatch(page.url(), /#\/ops\//);
  await screenshot(page, 'web-build-ignored');
});
