// HTTP client for the paas API. Every call resolves to parsed JSON or throws
// ApiError carrying the server's {error:{code,message,details}} shape.
// URLs are relative so the page works from any origin the app serves it on.

export class ApiError extends Error {
  constructor(status, body, fallback) {
    const err = body && body.error ? body.error : null;
    super(err?.message || fallback || `HTTP ${status}`);
    this.status = status;
    this.code = err?.code || (status ? `http_${status}` : 'network_error');
    this.details = Array.isArray(err?.details) ? err.details : [];
    this.body = body;
  }
}

async function parse(res) {
  const text = await res.text();
  if (!text) return null;
  try { return JSON.parse(text); } catch { return { raw: text }; }
}

/** Low-level request. Returns {status, body, headers}; throws ApiError on >= 400 or network failure. */
export async function request(method, path, { json, body, headers = {}, signal } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, signal, cache: 'no-store' };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers['Content-Type'] = 'application/json';
  } else if (body !== undefined) {
    init.body = body;
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, null, 'The paas server is not reachable');
  }
  if (res.status === 304) return { status: 304, body: null, headers: res.headers };
  const parsed = await parse(res);
  if (res.status >= 400) throw new ApiError(res.status, parsed, res.statusText);
  return { status: res.status, body: parsed, headers: res.headers };
}

const get = async (path, opts) => (await request('GET', path, opts)).body;
const post = async (path, json) => (await request('POST', path, { json })).body;
const enc = encodeURIComponent;

/** Encode an artifact path segment by segment so slashes survive. */
export const artifactUrl = (projectId, path) =>
  `api/projects/${enc(projectId)}/artifacts/${String(path).split('/').map(enc).join('/')}`;

export const api = {
  /** /healthz answers 503 with the same body when degraded: that is a health value, not an error. */
  health: async () => {
    try { return await get('healthz'); } catch (e) { if (e.body?.status) return e.body; throw e; }
  },
  system: () => get('api/system'),
  /** One page of the inventory: {projects, next_cursor, total} (issue 11 paging). */
  projects: ({ q = '', sort = 'name', limit = 100, cursor = '' } = {}) =>
    get(`api/projects?q=${enc(q)}&sort=${enc(sort)}&limit=${limit}${cursor ? `&cursor=${enc(cursor)}` : ''}`),
  project: (id) => get(`api/projects/${enc(id)}`),
  projectOps: (id) => get(`api/projects/${enc(id)}/ops`),
  environments: (id) => get(`api/projects/${enc(id)}/environments`),
  releases: (id, env) => get(`api/projects/${enc(id)}/releases?env=${enc(env)}`),
  diff: (id, from, to) => get(`api/projects/${enc(id)}/diff?from=${enc(from)}&to=${enc(to)}`),
  artifacts: (id) => get(`api/projects/${enc(id)}/artifacts`),
  artifactText: async (id, path) => {
    const res = await fetch(artifactUrl(id, path), { cache: 'no-store' });
    if (!res.ok) throw new ApiError(res.status, await parse(res), res.statusText);
    return res.text();
  },
  op: (id) => get(`api/ops/${enc(id)}`),
  /** Conditional op fetch for polling: resolves {status:304} or {status:200, body, etag}. */
  opIfChanged: async (id, etag) => {
    const r = await request('GET', `api/ops/${enc(id)}`, { headers: etag ? { 'If-None-Match': etag } : {} });
    return { status: r.status, body: r.body, etag: r.headers.get('ETag') || etag };
  },
  /** 202 {accepted, op}: a queued op comes back cancelled, a running one with cancel_requested_at. */
  cancelOp: (id) => post(`api/ops/${enc(id)}/cancel`),
  registerJson: (payload) => post('api/events/registration', payload),
  registerYaml: async (yamlText) =>
    (await request('POST', 'api/events/registration', { body: yamlText, headers: { 'Content-Type': 'application/yaml' } })).body,
  buildSource: (payload) => post('api/webhooks/source', payload),
  deploy: (projectId, environment = 'dev') => post('api/events/deployment', { project_id: projectId, environment }),
  promote: (projectId, from, to) => post('api/events/promotion', { project_id: projectId, from_env: from, to_env: to }),
  release: (projectId, from, to) => post('api/events/release', { project_id: projectId, from_env: from, to_env: to }),
  /** Running environments (issue 16): 202 {accepted, op} with an op of kind stop|start. */
  stopEnv: (projectId, env) => post(`api/projects/${enc(projectId)}/environments/${enc(env)}/stop`),
  startEnv: (projectId, env) => post(`api/projects/${enc(projectId)}/environments/${enc(env)}/start`),
  /** The container's last `tail` lines: {project_id, environment, container_id, lines}; 409 not_deployed. */
  logs: (projectId, env, tail = 200) => get(`api/projects/${enc(projectId)}/environments/${enc(env)}/logs?tail=${tail}`),
  /** SSE: `log` frames {line}, then one `end` {reason} when the container stops. */
  logsFollowUrl: (projectId, env) => `api/projects/${enc(projectId)}/environments/${enc(env)}/logs?follow=1&tail=0`,
  running: () => get('api/running'),
  rollback: (projectId, environment, release) =>
    post('api/events/rollback', release === undefined ? { project_id: projectId, environment } : { project_id: projectId, environment, release }),
};

export const isProdEnv = (name) => /^(prod|production)$/i.test(String(name || ''));
