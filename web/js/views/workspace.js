// Selected-project workspace: header (status, meta, Build latest source with
// advanced overrides) and the tabs Operations / Delivery / Artifacts / Spec.
import { h, mount, badge, fmtTime, emptyState, opRef } from '../dom.js';
import { api } from '../api.js';
import { state, selectedProject } from '../state.js';
import { specEditor } from './spec.js';
import { renderOps, stopTimeline } from './ops.js';
import { renderDelivery, orderEnvs, specEnvNames } from './delivery.js';
import { renderArtifacts } from './artifacts.js';
import { confirmDialog } from './dialog.js';
import { toast } from './toast.js';

export const TABS = [['ops', 'Operations'], ['delivery', 'Delivery'], ['artifacts', 'Artifacts'], ['spec', 'Spec']];
let panel = null; // {key, stop?, reload?}
let focusTabAfterRender = false; // set by arrow-key tab navigation

function stopPanel() { panel?.stop?.(); panel = null; }

function buildAction(project, nav) {
  const note = h('div.build-note', { 'aria-live': 'polite' });
  const btn = h('button.btn.btn-primary#build-latest', { type: 'button', title: 'POST /api/webhooks/source for main HEAD' }, '▶ Build latest source');
  const fields = [['branch', 'main', 'Branch'], ['ref', '', 'Ref (e.g. refs/heads/main)'], ['commit', '', 'Commit SHA (empty = HEAD)']]
    .map(([k, v, label]) => h('div.field', h('label', { for: `build-${k}` }, label),
      h('input', { id: `build-${k}`, type: 'text', value: v, autocomplete: 'off', spellcheck: 'false' })));
  const adv = h('details.advanced#build-advanced', h('summary', 'Advanced overrides'), h('div.adv-grid', fields));
  btn.addEventListener('click', async () => {
    const payload = { project_id: project.id, repo: 'source', branch: 'main' };
    if (adv.open) {
      for (const k of ['branch', 'ref', 'commit']) {
        const v = document.getElementById(`build-${k}`).value.trim();
        if (v) payload[k] = v; else if (k === 'branch') delete payload.branch;
      }
    }
    btn.disabled = true; btn.classList.add('busy'); note.replaceChildren();
    try {
      const res = await api.buildSource(payload);
      if (res?.accepted === false) note.replaceChildren(h('div.info-banner#build-ignored', { role: 'status' }, res.reason || 'ignored'));
      else if (res?.op?.id) { toast(`Build accepted · ${res.op.id}`); nav.op(res.op.id); }
    } catch (err) {
      note.replaceChildren(h('div.error-banner', { role: 'alert' }, h('strong', 'Build refused'), ` ${err.message} `, h('code', err.code)));
    } finally { btn.disabled = false; btn.classList.remove('busy'); }
  });
  return h('div.ws-actions', btn, adv, note);
}

function header(project, nav) {
  const op = opRef(project.last_op);
  const envs = orderEnvs(specEnvNames(project));
  return h('header.ws-header',
    h('div.ws-title',
      h('div.ws-title-row', h('h1#project-title', project.name || project.spec?.name || project.id), badge(project.status, { id: 'project-status' })),
      h('div.ws-meta', h('span', 'id ', h('code', project.id)), project.spec?.runtime ? h('span', 'runtime ', h('code', project.spec.runtime)) : null,
        envs.length ? h('span', envs.join(' → ')) : null, h('span', `updated ${fmtTime(project.updated_at)}`),
        op?.id ? h('span', 'last op ', h('a', { href: `#/ops/${encodeURIComponent(op.id)}` }, op.kind || op.id), op.status ? ` (${op.status})` : '') : null)),
    buildAction(project, nav),
    h('div.tabs', { role: 'tablist', 'aria-label': 'Project sections', onkeydown: (e) => tabKeys(e, nav) }, TABS.map(([key, label]) => h('button.tab', {
      type: 'button', role: 'tab', id: `tab-${key}`, 'aria-selected': String(state.tab === key), 'aria-controls': 'ws-panel',
      tabindex: state.tab === key ? '0' : '-1', onclick: () => nav.tab(key),
    }, label))));
}

/** Arrow keys / Home / End move between tabs (WAI-ARIA tabs pattern). */
function tabKeys(e, nav) {
  const keys = TABS.map(([k]) => k);
  const i = keys.indexOf(state.tab);
  const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: keys.length - 1 }[e.key];
  if (next === undefined) return;
  e.preventDefault();
  const key = keys[(next + keys.length) % keys.length];
  focusTabAfterRender = true;
  nav.tab(key);
}

function renderPanel(body, project, nav) {
  stopPanel();
  const key = state.tab;
  if (key !== 'ops') stopTimeline();
  if (key === 'ops') panel = { key, ...renderOps(body, { projectId: project.id, opId: state.opId, go: nav.op, onOpChange: nav.opChanged }) };
  else if (key === 'delivery') panel = { key, ...renderDelivery(body, { project, go: nav.op }) };
  else if (key === 'artifacts') panel = { key, ...renderArtifacts(body, { project }) };
  else {
    const onDelete = async () => {
      const ok = await confirmDialog({ title: `Delete ${project.name || project.id}?`, danger: true, confirmLabel: 'Delete project',
        body: h('p', 'Sends a delete registration event. Repos and artifacts move to the trash folder; your source is never destroyed.') });
      if (!ok) return;
      try {
        const res = await api.registerJson({ action: 'delete', project_id: project.id, spec: project.spec || {} });
        if (res?.op?.id) nav.op(res.op.id);
      } catch (err) { toast(`Delete refused: ${err.message}`, { tone: 'bad' }); }
    };
    mount(body, specEditor({ project, onAccepted: (op) => op?.id && nav.op(op.id), onDelete }));
    panel = { key };
  }
}

/** Render the workspace for the current state. nav = {op(id), tab(key), project(id), opChanged(op)}. */
export function renderWorkspace(nav) {
  const ws = document.getElementById('workspace');
  if (state.creating) {
    stopPanel(); stopTimeline();
    mount(ws, h('div.ws-body.narrow', specEditor({ onAccepted: (op) => { toast('Project registration accepted'); nav.created(op); } })));
    document.getElementById('spec-name')?.focus();
    return;
  }
  const project = selectedProject();
  if (!project) {
    stopPanel();
    if (state.opId) { // deep link to an op whose project is not (yet) known
      const body = h('div.ws-body');
      mount(ws, body);
      panel = { key: 'ops', ...renderOps(body, { projectId: null, opId: state.opId, go: nav.op, onOpChange: nav.opChanged }) };
      return;
    }
    stopTimeline();
    mount(ws, h('div.ws-empty', emptyState(state.projects.length ? 'Select a project' : 'Welcome to paas',
      state.projects.length ? 'Pick a project from the inventory, or create a new one.' : 'Register your first app: paas creates its repos, builds an image and renders manifests.',
      h('button.btn.btn-primary', { type: 'button', onclick: nav.newProject }, '+ New project'))));
    return;
  }
  const body = h('div.ws-body', { id: 'ws-panel', role: 'tabpanel', 'aria-labelledby': `tab-${state.tab}` });
  const focused = ws.contains(document.activeElement) && document.activeElement.id; // keep focus across re-renders
  mount(ws, header(project, nav), body);
  if (focusTabAfterRender) { focusTabAfterRender = false; document.getElementById(`tab-${state.tab}`)?.focus(); }
  else if (focused) document.getElementById(focused)?.focus();
  renderPanel(body, project, nav);
}

/** Refresh only the title block (status badge, meta) without rebuilding the panel. */
export function refreshHeader(nav) {
  const project = selectedProject();
  const old = document.querySelector('#workspace .ws-title');
  if (!project || !old || state.creating) return;
  old.replaceWith(header(project, nav).querySelector('.ws-title'));
}

export const currentPanel = () => panel;
