// Entry point: routing (#/projects/<id>[/<tab>], #/ops/<opId>, #/new),
// data loading, the global event feed and keyboard shortcuts.
import { api } from './api.js';
import { state, set, touch, selectedProject } from './state.js';
import { GlobalFeed, isTerminal } from './sse.js';
import { opRef } from './dom.js';
import { initStrip } from './views/strip.js';
import { initProjects } from './views/projects.js';
import { renderWorkspace, refreshHeader, TABS, currentPanel } from './views/workspace.js';
import { initKeyboard } from './keyboard.js';

const TAB_KEYS = TABS.map(([k]) => k);
const enc = encodeURIComponent;

const nav = {
  op: (id, { replace } = {}) => go(`#/ops/${enc(id)}`, replace),
  tab: (key) => go(`#/projects/${enc(state.selectedId)}/${key}`),
  project: (id) => go(`#/projects/${enc(id)}`),
  newProject: () => go('#/new'),
  created: (op) => (op?.id ? nav.op(op.id) : go('#/')),
  opChanged: (op) => {
    noteOp(op.id, op);
    if (isTerminal(op.status)) reloadSoon();
  },
};

function go(hash, replace) {
  if (location.hash === hash) { route(); return; }
  if (replace) { history.replaceState(null, '', hash); route(); } else location.hash = hash;
}

let loadSeq = 0;
async function loadProjects() {
  const seq = ++loadSeq;
  set({ projectsLoading: true });
  try {
    const res = await api.projects({ q: state.query.q, sort: state.query.sort });
    if (seq !== loadSeq) return;
    const projects = res?.projects || [];
    for (const p of projects) { const op = opRef(p.last_op); if (op?.id && op.status && !isTerminal(state.activeOps.get(op.id)?.status)) noteOp(op.id, { ...op, project_id: p.id }, true); }
    const hadSelected = !!selectedProject();
    set({ projects, projectsError: null, projectsLoading: false });
    touch('activeOps');
    if (state.selectedId && hadSelected !== !!selectedProject()) renderWorkspace(nav); // appeared or was deleted
    else refreshHeader(nav);
  } catch (err) {
    if (seq === loadSeq) set({ projectsError: err, projectsLoading: false });
  }
}
let reloadTimer;
const reloadSoon = () => { clearTimeout(reloadTimer); reloadTimer = setTimeout(loadProjects, 250); };

function noteOp(id, op, quiet) {
  if (!id) return;
  const prev = state.activeOps.get(id) || {};
  state.activeOps.set(id, { ...prev, ...Object.fromEntries(Object.entries(op).filter(([, v]) => v !== undefined)) });
  if (!quiet) touch('activeOps');
}

async function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'new') {
    set({ creating: true, selectedId: null, opId: null });
  } else if (parts[0] === 'projects' && parts[1]) {
    const tab = TAB_KEYS.includes(parts[2]) ? parts[2] : (state.tab || 'ops');
    set({ creating: false, selectedId: parts[1], tab, opId: tab === 'ops' && state.selectedId === parts[1] ? state.opId : null });
  } else if (parts[0] === 'ops' && parts[1]) {
    const opId = parts[1];
    let pid = state.activeOps.get(opId)?.project_id;
    set({ creating: false, opId, tab: 'ops', selectedId: pid || state.selectedId });
    if (!pid) {
      try { pid = (await api.op(opId))?.project_id; } catch { pid = null; }
      if (state.opId !== opId) return;
      if (pid && !state.projects.some((p) => p.id === pid)) await loadProjects();
      set({ selectedId: pid || null });
    }
  } else {
    set({ creating: false, selectedId: null, opId: null });
  }
  renderWorkspace(nav);
}

async function pollHealth() {
  try { set({ health: await api.health() }); } catch (err) { set({ health: { error: err.message } }); }
}
async function loadSystem() {
  try { set({ system: await api.system() }); } catch { /* strip shows a dash */ }
}

function onFeed(type, d) {
  if (!d.op_id) return;
  const status = type === 'op.completed' ? 'completed' : type === 'op.failed' ? 'failed' : d.status;
  noteOp(d.op_id, { project_id: d.project_id, status: status || (type.startsWith('step.') ? 'running' : undefined), kind: d.kind });
  if (type === 'op.completed' || type === 'op.failed' || type === 'op.status') reloadSoon();
  if (d.project_id !== state.selectedId) return;
  const panel = currentPanel();
  if (panel?.key === 'ops' && type === 'op.status') panel.reloadList?.();
  if (panel?.key === 'delivery' && (type === 'op.completed' || type === 'op.failed')) panel.reload?.();
}

initStrip();
initProjects({ reload: loadProjects, go: nav.project, newProject: nav.newProject });
initKeyboard({
  focusSearch: () => { const s = document.getElementById('project-search'); s.focus(); s.select(); },
  refresh: () => loadProjects(),
  artifacts: () => {
    if (!state.selectedId || state.creating) return;
    if (state.tab === 'artifacts') currentPanel()?.reload?.(); else nav.tab('artifacts');
  },
});
window.addEventListener('hashchange', route);
await loadProjects();
route();
loadSystem();
pollHealth();
setInterval(pollHealth, 10000);
setInterval(loadSystem, 60000);
new GlobalFeed(onFeed).start();
