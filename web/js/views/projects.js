// Project inventory (sidebar): search, status filter, sort, list with badges.
import { h, mount, badge, toneOf, fmtAgo, opRef } from '../dom.js';
import { state, set, subscribe } from '../state.js';

const FILTER_TONES = { ready: ['ok'], running: ['run', 'wait'], failed: ['bad'] };

function visibleProjects() {
  const tones = FILTER_TONES[state.query.status];
  return tones ? state.projects.filter((p) => tones.includes(toneOf(p.status))) : state.projects;
}

function envNames(p) {
  const envs = p.spec?.environments || p.environments;
  if (Array.isArray(envs)) return envs.map((e) => (typeof e === 'string' ? e : e.name));
  return envs && typeof envs === 'object' ? Object.keys(envs) : [];
}

function projectItem(p, go) {
  const op = opRef(p.last_op);
  const meta = [p.spec?.runtime, envNames(p).length ? `${envNames(p).length} envs` : null,
    op?.kind ? `last: ${op.kind}` : null, fmtAgo(p.updated_at)].filter(Boolean).join(' · ');
  const current = p.id === state.selectedId;
  return h('li', h('button.project-item', {
    type: 'button', 'data-project-id': p.id, 'aria-current': current ? 'true' : 'false',
    onclick: () => go(p.id),
  }, h('span.name', p.name || p.spec?.name || p.id), badge(p.status), h('span.meta', meta || p.id)));
}

export function renderProjects(go) {
  const list = document.getElementById('project-list');
  const count = document.getElementById('project-count');
  if (state.projectsLoading && !state.projects.length) {
    mount(list, ...[1, 2, 3].map(() => h('li.project-skel', h('div.skeleton', { style: 'height:42px' }))));
    count.textContent = 'Projects';
    return;
  }
  if (state.projectsError) {
    mount(list, h('li.state.state-error', { role: 'alert' }, h('div.state-title', 'Could not load projects'),
      h('p', state.projectsError.message),
      h('button.btn.btn-sm', { type: 'button', onclick: () => document.getElementById('project-refresh').click() }, 'Retry')));
    return;
  }
  const items = visibleProjects();
  const total = state.projectsCursor ? Math.max(state.projectsTotal, state.projects.length) : state.projects.length;
  count.textContent = `Projects · ${items.length}${items.length !== total ? ` of ${total}` : ''}`;
  if (!items.length) {
    const filtered = state.query.q || state.query.status;
    mount(list, h('li.state.state-empty', h('div.state-title', filtered ? 'No matching projects' : 'No projects yet'),
      h('p', filtered ? 'Try a different search or filter.' : 'Create one with “New project”.')));
    return;
  }
  const rows = items.map((p) => projectItem(p, go));
  if (state.projectsCursor) rows.push(h('li.project-more', h('button.btn.btn-sm', { type: 'button', id: 'project-more', onclick: () => loadMoreRef() }, 'Load more')));
  const top = list.scrollTop;
  mount(list, rows);
  list.scrollTop = top;
  fillViewport(list);
}

let loadMoreRef = () => {};
// More pages while the list does not fill its box (a later page may hold
// what the status filter shows), or when the user scrolls near its end.
function fillViewport(list) {
  if (state.projectsCursor && list.scrollHeight - list.scrollTop - list.clientHeight < 200) loadMoreRef();
}

/** Wire the controls. reload() re-fetches page 1 from the server (q and sort
 * are server-side); loadMore() appends the next page. */
export function initProjects({ reload, loadMore, go, newProject }) {
  loadMoreRef = loadMore;
  const search = document.getElementById('project-search');
  const filter = document.getElementById('project-filter');
  const sort = document.getElementById('project-sort');
  let timer;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { set({ query: { ...state.query, q: search.value.trim() } }); reload(); }, 200);
  });
  search.addEventListener('keydown', (e) => { if (e.key === 'Escape') { search.value = ''; search.dispatchEvent(new Event('input')); search.blur(); } });
  filter.addEventListener('change', () => set({ query: { ...state.query, status: filter.value } }));
  sort.addEventListener('change', () => { set({ query: { ...state.query, sort: sort.value } }); reload(); });
  document.getElementById('project-refresh').addEventListener('click', () => reload());
  document.getElementById('new-project').addEventListener('click', newProject);
  document.getElementById('project-list').addEventListener('scroll', (e) => fillViewport(e.target), { passive: true });
  subscribe(['projects', 'projectsLoading', 'projectsError', 'query', 'selectedId', 'projectsCursor'], () => renderProjects(go));
  renderProjects(go);
}
