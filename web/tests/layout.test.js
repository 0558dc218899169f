// Layout and accessibility checks in real Chromium: 1280x800 and 1440x900 light
// and 900 px dark render without horizontal overflow or a tab-bar scrollbar, the colour scheme follows
// prefers-color-scheme, and every control has an accessible name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, screenshot, createProject, apiCall, waitOp } from './harness.js';

let server;
let projectId;
before(async () => {
  server = await startServer();
  ({ projectId } = await createProject(server, 'web-layout'));
  const d = await apiCall(server, 'POST', 'api/events/deployment', { project_id: projectId, environment: 'dev' });
  assert.equal(d.status, 202, JSON.stringify(d.body));
  await waitOp(server, d.body.op.id);
});
after(async () => { await server?.stop(); });

const luminance = (rgb) => {
  const [r, g, b] = rgb.match(/\d+/g).slice(0, 3).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
};

async function unlabelled(page) {
  return page.evaluate(() => {
    const named = (el) => (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.title
      || (el.id && document.querySelector(`label[for="${el.id}"]`)) || el.closest('label') || (el.textContent || '').trim());
    return [...document.querySelectorAll('input, select, textarea, button, a[href]')]
      .filter((el) => el.offsetParent !== null && !named(el)).map((el) => el.outerHTML.slice(0, 120));
  });
}

const SIZES = [
  { width: 1280, height: 800, scheme: 'light', dark: false },
  { width: 1440, height: 900, scheme: 'light', dark: false },
  { width: 900, height: 800, scheme: 'dark', dark: true },
];
for (const { width, height, scheme, dark } of SIZES) {
  test(`${width}px ${scheme}: no horizontal overflow, themed, labelled controls`, async () => {
    const browser = await openBrowser({ width, height, colorScheme: scheme });
    try {
      const { page } = browser;
      for (const tab of ['delivery', 'ops', 'artifacts', 'spec']) {
        await page.goto(`${server.url}#/projects/${projectId}/${tab}`);
        await page.locator(`#tab-${tab}[aria-selected="true"]`).waitFor({ timeout: 15_000 });
        await page.locator('.ws-body .card').first().waitFor({ timeout: 15_000 });
        await page.waitForTimeout(300);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${tab} at ${width}px overflows horizontally by ${overflow}px`);
        const bar = await page.locator('.tabs').evaluate((el) => ({ clipped: el.scrollHeight - el.clientHeight, scrollbar: el.offsetHeight - el.clientHeight }));
        assert.deepEqual(bar, { clipped: 0, scrollbar: 0 }, `${tab} at ${width}px: the tab bar shows no scrollbar`);
        assert.deepEqual(await unlabelled(page), [], `${tab}: every control has an accessible name`);
        if (tab === 'delivery') {
          const right = await page.locator('.env-node[data-env="prod"]').evaluate((el) => el.getBoundingClientRect().right);
          assert.ok(right <= width, `prod node visible at ${width}px (right edge ${right})`);
        }
        await screenshot(page, `web-layout-${width}-${scheme}-${tab}`);
      }
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(luminance(bg) < 0.3, dark, `body background ${bg} matches ${scheme}`);
      assert.deepEqual(browser.errors, [], 'no uncaught page errors');
    } finally {
      await browser.close();
    }
  });
}
