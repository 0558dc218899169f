// Entry point: routing (#/projects/<id>[/<tab>], #/ops/<opId>, #/new),
// data loading, the global event feed and keyboard shortcuts.
import { api } from './api.js';
import { state, set, touch, selectedProject } from './state.js';
import { GlobalFeed, isTerminal, TERMINAL_EVENTS } from './sse.js';
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
    if (isTerminal(op.status)) refreshProjectSoon(op.project_id || state.selectedId);
  },
};

function go(hash, replace) {
  if (location.hash === hash) { route(); return; }
  if (replace) { history.replaceState(null, '', hash); route(); } else location.hash = hash;
}

// The inventory is paged: loadProjects() (re)loads the first page for the
// current q/sort, loadMoreProjects() appends the next one as the user
// scrolls, and an op event refreshes only the project it names.
let loadSeq = 0;
function noteLastOps(projects) {
  for (const p of projects) { const op = opRef(p.last_op); if (op?.id && op.status && !isTerminal(state.activeOps.get(op.id)?.status)) noteOp(op.id, { ...op, project_id: p.id }, true); }
}
function showProjects(projects, extra) {
  noteLastOps(projects);
  const hadSelected = !!selectedProject();
  const hadAny = state.projects.length > 0;
  set({ projects, projectsError: null, projectsLoading: false, ...extra });
  touch('activeOps');
  if (state.selectedId && hadSelected !== !!selectedProject()) renderWorkspace(nav); // appeared or was deleted
  else if (!state.selectedId && !state.creating && !state.opId && hadAny !== projects.length > 0) renderWorkspace(nav); // welcome <-> select hint
  else refreshHeader(nav);
}
async function loadProjects() {
  const seq = ++loadSeq;
  set({ projectsLoading: true });
  try {
    const res = await api.projects({ q: state.query.q, sort: state.query.sort });
    if (seq !== loadSeq) return;
    showProjects(res?.projects || [], { projectsCursor: res?.next_cursor || null, projectsTotal: res?.total ?? 0 });
  } catch (err) {
    if (seq === loadSeq) set({ projectsError: err, projectsLoading: false });
  }
}
let loadingMore = false;
async function loadMoreProjects() {
  const cursor = state.projectsCursor;
  if (!cursor || loadingMore) return;
  const seq = loadSeq;
  loadingMore = true;
  try {
    const res = await api.projects({ q: state.query.q, sort: state.query.sort, cursor });
    if (seq !== loadSeq || cursor !== state.projectsCursor) return;
    const known = new Set(state.projects.map((p) => p.id));
    const more = (res?.projects || []).filter((p) => !known.has(p.id));
    showProjects([...state.projects, ...more], { projectsCursor: res?.next_cursor || null, projectsTotal: res?.total ?? state.projectsTotal });
  } catch (err) {
    if (seq === loadSeq) set({ projectsError: err });
  } finally {
    loadingMore = false;
  }
}
// An op of `id` changed: re-read that one project (a new one reloads page 1).
const pendingProjects = new Set();
let refreshTimer;
function refreshProjectSoon(id) {
  if (!id) return;
  pendingProjects.add(id);
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refreshPending, 250);
}
async function refreshPending() {
  const ids = [...pendingProjects];
  pendingProjects.clear();
  const seq = loadSeq;
  let list = state.projects;
  for (const id of ids) {
    let p = null;
    try { p = await api.project(id); } catch (err) { if (err.status !== 404) return; }
    if (seq !== loadSeq) return;
    const at = list.findIndex((x) => x.id === id);
    if (!p) list = at < 0 ? list : list.filter((x) => x.id !== id);
    else if (at >= 0) list = list.map((x) => (x.id === id ? p : x));
    else { loadProjects(); return; }   // new here: its place in the order is the server's to say
  }
  if (list !== state.projects) showProjects(list, { projectsTotal: state.projectsTotal + (list.length - state.projects.length) });
}

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
  const status = TERMINAL_EVENTS[type] || d.status;
  noteOp(d.op_id, { project_id: d.project_id, status: status || (type.startsWith('step.') ? 'running' : undefined), kind: d.kind });
  if (TERMINAL_EVENTS[type] || type === 'op.status') refreshProjectSoon(d.project_id);
  if (d.project_id !== state.selectedId) return;
  const panel = currentPanel();
  if (panel?.key === 'ops' && (type === 'op.status' || type === 'op.cancelled')) panel.reloadList?.();
  if (panel?.key === 'delivery' && TERMINAL_EVENTS[type]) panel.reload?.();
}

initStrip();
initProjects({ reload: loadProjects, loadMore: loadMoreProjects, go: nav.project, newProject: nav.newProject });
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
