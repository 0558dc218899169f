// Flows: the spec editor's YAML and JSON modes are CodeMirror 6 editors
// (web/vendor/, loaded through the import map in index.html) with syntax
// highlighting and line numbers; a 422's details become lint markers on the
// line of their key (found through the lezer syntax tree), follow the spec to
// the other text format, and clear when the text changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, screenshot, apiCall } from './harness.js';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.teardown(); });

/** The editable element keeps a textarea-like `value` (codeeditor.js). */
const source = (page) => page.$eval('#spec-text', (el) => el.value);
const markedLines = (page) => page.$$eval('.cm-editor .cm-lintRange-error', (els) => els.map((e) => e.closest('.cm-line').textContent.trim()));
const lineOf = (text, re) => text.split('\n').findIndex((l) => re.test(l)) + 1;

/** A fresh #/new page, in `mode`, with CodeMirror loaded (not the textarea fallback). */
async function openEditor(mode) {
  const { page, server } = env;
  await page.goto(`${server.url}#/new`);
  await page.reload(); // a fresh editor, whatever the previous test left
  await page.locator('#spec-submit').waitFor({ timeout: 15_000 });
  const [ready, error] = await page.evaluate(() => [window.__paasEditorReady, window.__paasEditorError]);
  assert.equal(ready, true, `CodeMirror did not load, the spec editor fell back to a textarea: ${error}`
    + ' (does the server\'s Content-Security-Policy allow the inline import map?)');
  await page.click(`[role=tab][data-mode="${mode}"]`);
  await page.locator('.cm-editor .cm-content#spec-text').waitFor({ timeout: 15_000 });
  return page;
}

test('YAML and JSON modes are CodeMirror editors with line numbers and syntax highlighting', async () => {
  const page = await openEditor('yaml');
  assert.ok(await page.locator('.cm-editor .cm-lineNumbers .cm-gutterElement', { hasText: /^1$/ }).count() >= 1, 'line numbers');
  const keys = await page.locator('.cm-content .tok-key').allTextContents();
  for (const k of ['apiVersion', 'name', 'environments', 'dev', 'LOG_LEVEL']) assert.ok(keys.includes(k), `YAML key ${k} highlighted: ${keys}`);
  // Typing is highlighted as it goes.
  await page.click('.cm-content');
  await page.keyboard.press('Control+End');
  await page.keyboard.type('# typed comment\nnote: "a quoted value"');
  await page.locator('.cm-content .tok-comment', { hasText: '# typed comment' }).waitFor({ timeout: 5_000 });
  await page.locator('.cm-content .tok-string', { hasText: '"a quoted value"' }).waitFor({ timeout: 5_000 });
  assert.match(await source(page), /^# typed comment\nnote: "a quoted value"$/m);
  await screenshot(page, 'web-editor-yaml');

  await page.click('[role=tab][data-mode="json"]');
  await page.locator('.cm-content .tok-key', { hasText: '"apiVersion"' }).waitFor({ timeout: 5_000 });
  assert.ok((await page.locator('.cm-content .tok-string').allTextContents()).includes('"platform.example.com/v2"'));
  assert.deepEqual(JSON.parse(await source(page)).environments.dev, { vars: { LOG_LEVEL: 'info' } });
  assert.equal(await page.locator('.cm-editor').count(), 1, 'one editor, its language switched with the mode');
});

test('a 422 from the YAML tab is marked on the key\'s line, follows to JSON and clears once the value is fixed', async () => {
  const page = await openEditor('json');
  const spec = JSON.parse(await source(page));
  spec.name = 'web-editor';
  spec.environments.dev.port = 70000;
  await page.fill('#spec-text', `${JSON.stringify(spec, null, 2)}\n`); // typed into the editor as one input
  await page.click('[role=tab][data-mode="yaml"]');
  const yaml = await source(page);
  assert.match(yaml, /^ {4}port: 70000$/m, 'the JSON edit carries over to YAML');

  const req = page.waitForRequest((r) => r.url().endsWith('/api/events/registration') && r.method() === 'POST');
  await page.click('#spec-submit');
  assert.match((await req).headers()['content-type'], /application\/yaml/);
  await page.locator('.cm-editor .cm-lintRange-error').first().waitFor({ timeout: 15_000 });
  assert.deepEqual(await markedLines(page), ['port: 70000']);
  assert.equal(await page.locator('.cm-editor .cm-lint-marker-error').count(), 1, 'one gutter marker');
  assert.equal(await page.getAttribute('#spec-text', 'aria-invalid'), 'true');
  const item = page.locator('#spec-text-errors li[data-path="/spec/environments/dev/port"]');
  assert.match(await item.textContent(), new RegExp(`^Line ${lineOf(yaml, /^ {4}port: 70000$/)}\\b`));
  const message = (await item.locator('span').textContent()).trim();
  await page.hover('.cm-editor .cm-lintRange-error');
  await page.locator('.cm-tooltip-lint', { hasText: message }).waitFor({ timeout: 5_000 });
  await screenshot(page, 'web-editor-422-yaml');
  assert.equal((await apiCall(env.server, 'GET', 'api/projects')).body.projects.length, 0, 'an invalid spec must not create a project');

  await page.click('[role=tab][data-mode="json"]');
  const json = await source(page);
  assert.equal(JSON.parse(json).environments.dev.port, 70000, 'the same spec, as JSON');
  await page.locator('.cm-editor .cm-lintRange-error').first().waitFor({ timeout: 15_000 });
  assert.deepEqual(await markedLines(page), ['"port": 70000']); // dev's last key (after vars)
  assert.match(await item.textContent(), new RegExp(`^Line ${lineOf(json, /^ {6}"port": 70000$/)}\\b`));
  await screenshot(page, 'web-editor-422-json');

  // Fix the value where it is marked: the markers go with the first keystroke.
  await page.locator('.cm-content .tok-number', { hasText: '70000' }).dblclick();
  await page.keyboard.type('8080');
  await page.locator('.cm-editor .cm-lintRange-error').waitFor({ state: 'detached', timeout: 5_000 });
  assert.equal(await page.locator('.cm-editor .cm-lint-marker-error').count(), 0);
  assert.equal(await page.getAttribute('#spec-text', 'aria-invalid'), null);
  assert.equal(JSON.parse(await source(page)).environments.dev.port, 8080);

  await page.click('#spec-submit');
  await page.waitForURL(/#\/ops\//, { timeout: 15_000 });
  await page.locator('#timeline-status[data-status="completed"]').waitFor({ timeout: 120_000 });
  const stored = (await apiCall(env.server, 'GET', 'api/projects/web-editor')).body.spec;
  assert.equal(stored.environments.dev.port, 8080);
});

test('a detail whose key is not in the text is shown on line 1 with its pointer', async () => {
  const page = await openEditor('yaml');
  const yaml = await source(page);
  await page.fill('#spec-text', yaml.replace(/^name: .*\n/m, '')); // no name at all: the pointer names a key that isn't there
  await page.click('#spec-submit');
  await page.locator('.cm-editor .cm-lintRange-error').first().waitFor({ timeout: 15_000 });
  const first = await page.locator('.cm-line').first().textContent();
  const marked = await markedLines(page);
  assert.ok(marked.includes(first.trim()), `a marker on line 1 (${first}): ${marked}`);
  await page.hover('.cm-editor .cm-lintRange-error');
  assert.match(await page.locator('.cm-tooltip-lint').textContent(), /\/spec/);
});
