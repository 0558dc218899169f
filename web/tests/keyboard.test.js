// Flows: each keyboard shortcut ("/" search, "r" refresh, "a" artifacts),
// ignored while typing in a field; the #/projects/<id> deep link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, screenshot, createProject } from './harness.js';

let env;
let projectId;
before(async () => {
  env = await setup();
  ({ projectId } = await createProject(env.server, 'web-keys'));
});
after(async () => { await env?.teardown(); });

const activeId = (page) => page.evaluate(() => document.activeElement?.id || '');

test('"/" focuses the project search', async () => {
  const { page, server } = env;
  await page.goto(server.url);
  await page.locator('.project-item').first().waitFor();
  await page.locator('body').click({ position: { x: 700, y: 600 } });
  assert.notEqual(await activeId(page), 'project-search');
  await page.keyboard.press('/');
  assert.equal(await activeId(page), 'project-search');
  await page.keyboard.type('ra');
  assert.equal(await page.inputValue('#project-search'), 'ra', 'shortcuts are ignored while typing');
  await page.keyboard.press('Escape');
  await screenshot(page, 'web-shortcut-search');
});

test('"r" refreshes the project list', async () => {
  const { page, server } = env;
  await page.goto(server.url);
  await page.locator('.project-item').first().waitFor();
  await page.locator('body').click({ position: { x: 700, y: 600 } });
  const req = page.waitForRequest((r) => /\/api\/projects\?/.test(r.url()), { timeout: 5_000 });
  await page.keyboard.press('r');
  await req;
  await page.locator(`.project-item[data-project-id="${projectId}"]`).waitFor();
});

test('"a" opens and loads the artifacts of the selected project', async () => {
  const { page, server } = env;
  await page.goto(`${server.url}#/projects/${projectId}`);
  await page.locator('#project-title').waitFor();
  assert.equal(await page.locator(`.project-item[data-project-id="${projectId}"]`).getAttribute('aria-current'), 'true');
  await page.locator('body').click({ position: { x: 700, y: 600 } });
  const req = page.waitForRequest((r) => r.url().endsWith(`/api/projects/${projectId}/artifacts`), { timeout: 5_000 });
  await page.keyboard.press('a');
  await req;
  assert.equal(await page.getAttribute('#tab-artifacts', 'aria-selected'), 'true');
  await page.locator('.tree-file').first().waitFor({ timeout: 15_000 });
  await screenshot(page, 'web-shortcut-artifacts');
});
