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
  // Focus nothing that takes text: the spec tab's editor (CodeMirror, a
  // contenteditable) fills the middle of the page, and typing there is typing.
  await page.locator('#project-title').click();
  const req = page.waitForRequest((r) => r.url().endsWith(`/api/projects/${projectId}/artifacts`), { timeout: 5_000 });
  await page.keyboard.press('a');
  await req;
  assert.equal(await page.getAttribute('#tab-artifacts', 'aria-selected'), 'true');
  await page.locator('.tree-file').first().waitFor({ timeout: 15_000 });
  await screenshot(page, 'web-shortcut-artifacts');
});

test('search filters the inventory on the server and shows a designed empty state', async () => {
  const { page, server } = env;
  await page.goto(server.url);
  await page.locator(`.project-item[data-project-id="${projectId}"]`).waitFor();
  const req = page.waitForRequest((r) => r.url().includes('/api/projects?q=no-such-project'), { timeout: 5_000 });
  await page.fill('#project-search', 'no-such-project');
  await req;
  await page.locator('#project-list .state-empty').waitFor();
  assert.match(await page.textContent('#project-list'), /No matching projects/);
  await page.fill('#project-search', 'web-k');
  await page.locator(`.project-item[data-project-id="${projectId}"]`).waitFor();
  const sorted = page.waitForRequest((r) => r.url().includes('sort=updated'), { timeout: 5_000 });
  await page.selectOption('#project-sort', 'updated');
  await sorted;
  await page.locator(`.project-item[data-project-id="${projectId}"]`).waitFor();
});

test('system strip shows count, health, active ops and the builder mode with its reason', async () => {
  const { page, server } = env;
  await page.goto(server.url);
  await page.locator(`.project-item[data-project-id="${projectId}"]`).waitFor();
  await page.waitForFunction(() => /ok|degraded/.test(document.querySelector('#strip-health strong')?.textContent || ''));
  assert.equal(await page.textContent('#strip-projects strong'), '1');
  assert.equal(await page.textContent('#strip-builder strong'), 'artifact');
  const title = await page.getAttribute('#strip-builder', 'title');
  assert.match(title, /requested: artifact \(explicit\)/);
  assert.match(title, /effective: artifact/);
  assert.match(await page.textContent('#strip-ops strong'), /^\d+$/);
  await screenshot(page, 'web-system-strip');
});

test('workspace tabs are keyboard-navigable with arrow keys', async () => {
  const { page, server } = env;
  await page.goto(`${server.url}#/projects/${projectId}/ops`);
  await page.locator('#tab-ops[aria-selected="true"]').waitFor();
  await page.locator('.op-item[aria-current="true"]').waitFor({ timeout: 15_000 }); // newest op auto-selected
  await page.focus('#tab-ops');
  await page.keyboard.press('ArrowRight');
  await page.locator('#tab-delivery[aria-selected="true"]').waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'tab-delivery');
  assert.match(page.url(), /\/delivery$/);
  await page.keyboard.press('End');
  await page.locator('#tab-spec[aria-selected="true"]').waitFor();
  assert.equal(await page.getAttribute('#spec-name', 'readonly'), '', 'name is read-only after creation');
});
