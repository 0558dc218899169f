// E2E harness: starts the real `paas --headless` binary (PAAS_BIN) in a temp
// dir and a real Debian Chromium (/usr/bin/chromium) through playwright-core.
// Never downloads a browser. Screenshots go to PAAS_E2E_OUT.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.PAAS_CHROMIUM || '/usr/bin/chromium';
const CHROME_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const START_TIMEOUT_MS = 90_000;
const LISTEN_RE = /API listening on (http:\/\/127\.0\.0\.1:(\d+))/;

export function tempDir(prefix = 'paas-web-e2e-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Start paas. opts.dir: state dir (reused across restarts); opts.port: fixed port (0 = any).
 * Resolves {url, port, dir, proc, log(), stop()}.
 */
export async function startServer({ dir = tempDir(), port = 0, env = {} } = {}) {
  const bin = process.env.PAAS_BIN;
  if (!bin || !fs.existsSync(bin)) throw new Error(`PAAS_BIN is not set to an existing binary (got ${bin})`);
  fs.mkdirSync(path.join(dir, 'artifacts'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'nats'), { recursive: true });
  const proc = spawn(bin, ['--headless'], {
    env: {
      ...process.env,
      PAAS_LISTEN: `127.0.0.1:${port}`,
      PAAS_ARTIFACTS_ROOT: path.join(dir, 'artifacts'),
      PAAS_NATS_STORE_DIR: path.join(dir, 'nats'),
      PAAS_IMAGE_BUILDER_MODE: 'artifact',
      QT_QPA_PLATFORM: 'offscreen',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const logFile = path.join(dir, `paas-${Date.now()}.log`);
  const onData = (chunk) => { output += chunk; fs.appendFileSync(logFile, chunk); };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  const exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve({ code, sig })));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`paas did not report "API listening on" within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    const check = () => { const m = output.match(LISTEN_RE); if (m) { clearTimeout(timer); resolve(m[1]); } };
    proc.stdout.on('data', check);
    proc.stderr.on('data', check);
    exited.then(({ code, sig }) => { clearTimeout(timer); reject(new Error(`paas exited early (code ${code}, signal ${sig}):\n${output}`)); });
  });
  const server = {
    url: `${url}/`, port: Number(new URL(url).port), dir, proc,
    log: () => output,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
  return server;
}

/** Launch Debian's Chromium with a fresh profile. Resolves {context, page, close()}. */
export async function openBrowser({ width = 1280, height = 800, colorScheme = 'light' } = {}) {
  const profile = tempDir('paas-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROME_ARGS, viewport: { width, height }, colorScheme,
  });
  const page = context.pages()[0] || await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    context, page, errors,
    async close() { await context.close(); fs.rmSync(profile, { recursive: true, force: true }); },
  };
}

export async function screenshot(page, name) {
  const out = process.env.PAAS_E2E_OUT || path.join(os.tmpdir(), 'paas-e2e');
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** JSON API helper against the real server. */
export async function apiCall(server, method, p, body) {
  const res = await fetch(new URL(p, server.url), {
    method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = { raw: text }; }
  return { status: res.status, body: json };
}

export function specFor(name, envs = ['dev', 'staging', 'prod']) {
  return {
    apiVersion: 'platform.example.com/v2', kind: 'App', name, runtime: 'go_1.26', capabilities: ['http'],
    environments: Object.fromEntries(envs.map((e) => [e, { vars: { LOG_LEVEL: 'info' } }])),
    networkPolicies: { ingress: 'internal', egress: 'internal' },
  };
}

/** Poll GET /api/ops/{id} until completed|failed|cancelled. */
export async function waitOp(server, opId, timeoutMs = 120_000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    last = await apiCall(server, 'GET', `api/ops/${encodeURIComponent(opId)}`);
    if (last.status === 200 && ['completed', 'failed', 'cancelled'].includes(last.body?.status)) return last.body;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`op ${opId} did not finish: ${JSON.stringify(last?.body)}`);
}

/** Register a project through the API and wait for its create op. Returns {projectId, op}. */
export async function createProject(server, name, envs) {
  const r = await apiCall(server, 'POST', 'api/events/registration', { action: 'create', spec: specFor(name, envs) });
  if (r.status !== 202) throw new Error(`create ${name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  const op = await waitOp(server, r.body.op.id);
  return { projectId: r.body.op.project_id || op.project_id, op };
}

/**
 * Hold a project's next update op inside its repoBootstrap step, with no test hook in the
 * server: registration/template-state.json becomes a FIFO, so the step's read blocks in
 * open(). waitHeld() resolves once a step holds it (a non-blocking open for writing only
 * succeeds while a reader is there); release() puts the regular file back and hands the
 * blocked reader the same bytes. Same mechanism as tests/integration/registration/stepgate.h.
 */
export function stepGate(server, projectId) {
  const file = path.join(server.dir, 'artifacts', projectId, 'registration', 'template-state.json');
  const link = `${file}.gate`;
  const content = fs.readFileSync(file);
  fs.rmSync(link, { force: true });
  execFileSync('mkfifo', ['-m', '600', link]);
  fs.linkSync(link, `${file}.new`);
  fs.renameSync(`${file}.new`, file);
  let fd = -1;
  return {
    async waitHeld(timeoutMs = 60_000) {
      const end = Date.now() + timeoutMs;
      while (fd < 0) {
        try { fd = fs.openSync(link, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK); } catch (e) {
          if (e.code !== 'ENXIO' || Date.now() > end) throw new Error(`no step opened ${file}: ${e.message}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    },
    release() {
      fs.writeFileSync(`${file}.new`, content);
      fs.renameSync(`${file}.new`, file);
      if (fd >= 0) { fs.writeSync(fd, content); fs.closeSync(fd); fd = -1; }
      fs.rmSync(link, { force: true });
    },
  };
}

/** One server + one browser per test file. */
export async function setup(opts = {}) {
  const server = await startServer(opts.server);
  let browser;
  try { browser = await openBrowser(opts.browser); } catch (e) { await server.stop(); throw e; }
  return {
    server, browser, page: browser.page,
    async teardown() { await browser.close().catch(() => {}); await server.stop(); },
  };
}
