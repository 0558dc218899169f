// Delivery panel: environment path picture with the current release per env,
// Deploy to dev / Promote / Release with guardrails, production confirmation
// with the diff, release history with Rollback; per environment its run
// state (issue 16: dot, Open, Stop/Start, Logs), polled while one runs on Docker.
import { h, mount, fmtAgo, shortSha, loading, errorState, badge } from '../dom.js';
import { api, isProdEnv } from '../api.js';
import { OpStream, TERMINAL_EVENTS } from '../sse.js';
import { confirmDialog, diffView } from './dialog.js';
import { runBlock, patchRunBlocks, wantsPolling } from './runstate.js';
import { openLogs, closeLogs } from './logsdrawer.js';

const RUN_POLL_MS = 5000;

/** dev first, prod/production last, the rest in spec order. */
export function orderEnvs(names) {
  const uniq = [...new Set(names)];
  const rank = (n) => (n === 'dev' ? 0 : isProdEnv(n) ? 2 : 1);
  return uniq.map((n, i) => [n, i]).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([n]) => n);
}

/** Keep the distinctive end of an image ref (the tag) when it is long. */
const shortImage = (img) => (!img ? '—' : img.length > 26 ? `…${img.slice(-24)}` : img);

/** The spec's environments in the order the user wrote them (the server keeps it beside the spec: a JSON object does not). */
export const specEnvNames = (project) => {
  const keys = Object.keys(project?.spec?.environments || {});
  const order = (project?.environment_order || []).filter((n) => keys.includes(n));
  return [...order, ...keys.filter((n) => !order.includes(n))];
};

/** Why a transition is refused, or '' when allowed. */
export function transitionGuard(from, to, releases) {
  if (!from || !to) return 'Choose both environments';
  if (from === to) return 'Source and target are the same environment';
  if (!releases[from]) return `Nothing deployed in ${from} yet`;
  return '';
}

export function renderDelivery(container, { project, go }) {
  const pid = project.id;
  const st = { envs: [], releases: {}, runs: {}, history: null, historyEnv: null, busy: false, activity: null, error: null };
  let activityStream = null;
  let pollTimer = null;
  let stopped = false;
  const root = h('div.delivery');
  mount(container, root);

  async function load() {
    try {
      const res = await api.environments(pid);
      const fromApi = res?.environments || [];
      // The contract names the current release `release`; the engine also sends it as `current`.
      st.releases = Object.fromEntries(fromApi.map((e) => [e.name, e.release || e.current || null]));
      st.runs = Object.fromEntries(fromApi.map((e) => [e.name, e.run || null]));
      st.envs = orderEnvs([...specEnvNames(project), ...fromApi.map((e) => e.name)]);
      if (!st.historyEnv || !st.envs.includes(st.historyEnv)) st.historyEnv = st.envs.find((e) => st.releases[e]) || st.envs[0];
      st.loaded = true; st.loadError = null;
    } catch (err) { st.loadError = err; }
    render();
    loadHistory();
    schedulePoll();
  }

  /** Health changes are no events: re-read the run states every 5 s while one runs on Docker and the panel shows. */
  function schedulePoll() {
    if (stopped || pollTimer || !wantsPolling(st.runs)) return;
    pollTimer = setInterval(pollRuns, RUN_POLL_MS);
  }

  async function pollRuns() {
    if (!root.isConnected) { clearInterval(pollTimer); pollTimer = null; return; }
    if (document.hidden || st.polling) return;
    st.polling = true;
    try {
      const fromApi = (await api.environments(pid))?.environments || [];
      if (stopped) return;
      const rel = (e) => JSON.stringify(e.release || e.current || null);
      if (fromApi.some((e) => rel(e) !== JSON.stringify(st.releases[e.name] ?? null))) { load(); return; }
      for (const e of fromApi) st.runs[e.name] = e.run || null;
      if (!wantsPolling(st.runs)) { clearInterval(pollTimer); pollTimer = null; }
      patchRunBlocks(root, Object.fromEntries(st.envs.map((env) => [env, runOf(env)])));
    } catch { /* the next tick retries; the strip shows a server that is down */ } finally { st.polling = false; }
  }

  const runOf = (env) => runBlock(env, st.runs[env], { busy: st.busy, on: {
    control: (e, kind) => act(`${kind === 'stop' ? 'Stop' : 'Start'} ${e}`, () => (kind === 'stop' ? api.stopEnv(pid, e) : api.startEnv(pid, e))),
    logs: (e) => openLogs({ projectId: pid, env: e }),
  } });

  async function loadHistory() {
    if (!st.historyEnv) return;
    try { st.history = (await api.releases(pid, st.historyEnv))?.releases || []; st.historyError = null; } catch (err) { st.historyError = err; }
    render();
  }

  function follow(op, label) {
    activityStream?.stop();
    st.activity = { op, label };
    render();
    if (!op?.id) return;
    activityStream = new OpStream(op.id, {
      snapshot: (snap) => { st.activity.op = { ...st.activity.op, ...snap }; render(); },
      event: (type, d) => {
        if (d.status && type.startsWith('op.')) st.activity.op.status = d.status;
        if (TERMINAL_EVENTS[type]) Object.assign(st.activity.op, { status: TERMINAL_EVENTS[type], error: d.error || st.activity.op.error });
        render();
        if (TERMINAL_EVENTS[type]) load();
      },
      mode: (m) => { if (m === 'done') load(); },
    }).start();
  }

  async function act(label, fn) {
    st.busy = true; st.error = null; render();
    try {
      const res = await fn();
      if (res?.accepted === false) st.error = { message: res.reason || 'Ignored', code: 'ignored' };
      else follow(res?.op, label);
    } catch (err) { st.error = err; }
    st.busy = false; render();
  }

  async function transition(from, to) {
    const guard = transitionGuard(from, to, st.releases);
    if (guard) { st.error = { message: guard, code: 'guardrail' }; render(); return; }
    if (isProdEnv(to)) {
      const rel = st.releases[from];
      const ok = await confirmDialog({
        title: `Release ${from} → ${to}?`, confirmLabel: `Release to ${to}`,
        body: api.diff(pid, from, to).then((d) => h('div.release-confirm',
          h('p', 'This changes production. ', rel ? h('span', 'Release ', h('strong', `#${rel.number}`), ' · ', h('code', rel.image || shortSha(rel.commit))) : null),
          h('h3', `Manifest diff ${d.from || from} → ${d.to || to}`), diffView(d.unified))),
      });
      if (!ok) return;
      return act(`Release ${from} → ${to}`, () => api.release(pid, from, to));
    }
    return act(`Promote ${from} → ${to}`, () => api.promote(pid, from, to));
  }

  async function rollback(env, rel) {
    const ok = await confirmDialog({ title: `Roll back ${env}?`, confirmLabel: 'Roll back', danger: isProdEnv(env),
      body: h('p', rel ? ['Redeploy release ', h('strong', `#${rel.number}`), ' (', h('code', rel.image || shortSha(rel.commit)), `) to ${env}.`]
        : `Redeploy the previous release to ${env}.`) });
    if (ok) act(`Rollback ${env}`, () => api.rollback(pid, env, rel?.number));
  }

  function envNode(env) {
    const rel = st.releases[env];
    return h('div.env-node', { 'data-env': env, class: rel ? 'has-release' : 'empty', 'aria-label': `Environment ${env}` },
      h('div.env-name', env, isProdEnv(env) ? h('span.tag', 'production') : null),
      rel ? h('div.env-release', h('div.rel-num', `Release #${rel.number}`), h('code.rel-image', { title: rel.image }, shortImage(rel.image)),
        h('div.rel-meta', rel.commit ? h('code', shortSha(rel.commit)) : null, ' ', fmtAgo(rel.at)))
        : h('div.env-empty', 'Nothing deployed'),
      runOf(env),
      env === 'dev' ? h('button.btn.btn-sm.btn-primary#deploy-dev', { type: 'button', disabled: st.busy || null,
        onclick: () => act('Deploy to dev', () => api.deploy(pid, 'dev')) }, 'Deploy to dev') : null);
  }

  function edge(from, to) {
    const guard = transitionGuard(from, to, st.releases);
    const verb = isProdEnv(to) ? 'Release' : 'Promote';
    const id = `${verb.toLowerCase()}-${from}-${to}`;
    return h('div.env-edge', { 'data-from': from, 'data-to': to },
      h('div.edge-line', { 'aria-hidden': 'true' }),
      h('button.btn.btn-sm', { type: 'button', id, class: isProdEnv(to) ? 'btn-release' : '', disabled: guard || st.busy ? true : null,
        title: guard || `${verb} ${from}'s release to ${to}`, 'aria-describedby': guard ? `${id}-why` : null,
        onclick: () => transition(from, to) }, `${verb} →`),
      guard ? h('div.edge-why', { id: `${id}-why` }, guard) : null);
  }

  function pathPicture() {
    if (!st.envs.length) return h('div.state', 'This project defines no environments.');
    const parts = [];
    st.envs.forEach((env, i) => { if (i) parts.push(edge(st.envs[i - 1], env)); parts.push(envNode(env)); });
    return h('div.env-path', { role: 'group', 'aria-label': 'Environment path' }, parts);
  }

  function customTransition() {
    const from = h('select#transition-from', st.envs.map((e) => h('option', { value: e }, e)));
    const to = h('select#transition-to', st.envs.map((e, i) => h('option', { value: e, selected: i === 1 || null }, e)));
    const why = h('span.edge-why#transition-why');
    const btn = h('button.btn.btn-sm#transition-go', { type: 'button', onclick: () => transition(from.value, to.value) }, 'Run transition');
    const sync = () => { const g = transitionGuard(from.value, to.value, st.releases); btn.disabled = !!g || st.busy; why.textContent = g; btn.textContent = isProdEnv(to.value) ? 'Release…' : 'Promote'; };
    from.onchange = sync; to.onchange = sync; sync();
    return h('details.advanced', h('summary', 'Custom transition'),
      h('div.inline-form', h('label', { for: 'transition-from' }, 'From'), from, h('label', { for: 'transition-to' }, 'To'), to, btn, why));
  }

  function activity() {
    const a = st.activity;
    const err = st.error;
    return [
      err ? h('div.error-banner#delivery-error', { role: 'alert' }, h('strong', err.status === 409 ? 'Refused' : 'Error'), ` ${err.message} `, err.code ? h('code', err.code) : null) : null,
      a ? h('div.activity#delivery-activity', { 'data-status': a.op?.status || '', 'data-op-id': a.op?.id || '' }, h('span', a.label), badge(a.op?.status || 'queued'),
        a.op?.id ? h('a', { href: `#/ops/${encodeURIComponent(a.op.id)}`, onclick: (e) => { e.preventDefault(); go(a.op.id); } }, 'View timeline') : null,
        a.op?.error?.message ? h('span.bad', a.op.error.message) : null) : null,
    ];
  }

  function history() {
    const cur = st.releases[st.historyEnv];
    let body;
    if (st.historyError) body = errorState(st.historyError, loadHistory);
    else if (!st.history) body = loading('Loading releases…');
    else if (!st.history.length) body = h('div.state', `No releases in ${st.historyEnv} yet.`);
    else {
      const isCur = (r) => (r.current === true) || (!!cur && cur.number === r.number && r.current !== false);
      body = h('table.releases', h('thead', h('tr', ['#', 'Image', 'Commit', 'Trigger', 'When', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', st.history.map((r) => h('tr', { 'data-release': r.number, class: isCur(r) ? 'current' : '' },
        h('td', `#${r.number}`), h('td', h('code', r.image || '—')), h('td', h('code', shortSha(r.commit))),
        h('td', r.trigger || ''), h('td', fmtAgo(r.at)),
        h('td', isCur(r) ? h('span.tag', 'current')
          : h('button.btn.btn-sm', { type: 'button', disabled: st.busy || null, 'data-rollback': r.number, onclick: () => rollback(st.historyEnv, r) }, 'Rollback'))))));
    }
    return h('section.card', h('div.card-head', h('h2', 'Release history'),
      h('div.segmented', { role: 'tablist', 'aria-label': 'Environment' }, st.envs.map((e) => h('button', { type: 'button', role: 'tab',
        'aria-selected': String(e === st.historyEnv), onclick: () => { st.historyEnv = e; st.history = null; render(); loadHistory(); } }, e)))),
    h('div.card-body', body));
  }

  function render() {
    if (st.loadError && !st.loaded) { mount(root, errorState(st.loadError, load)); return; }
    if (!st.loaded) { mount(root, loading('Loading environments…')); return; }
    mount(root,
      h('section.card', h('div.card-head', h('div', h('h2', 'Delivery path'), h('div.sub', 'dev → … → production. Promote moves a release between environments; production needs a release.')),
        h('button.btn.btn-sm.btn-ghost', { type: 'button', onclick: load }, 'Refresh')),
      h('div.card-body', pathPicture(), activity(), customTransition())),
      history());
  }

  render();
  load();
  function stop() {
    stopped = true;
    activityStream?.stop();
    clearInterval(pollTimer);
    pollTimer = null;
    closeLogs();
  }
  return { stop, reload: load };
}
