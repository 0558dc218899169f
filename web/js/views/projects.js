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
  count.textContent = `Projects · ${items.length}${items.length !== state.projects.length ? ` of ${state.projects.length}` : ''}`;
  if (!items.length) {
    const filtered = state.query.q || state.query.status;
    mount(list, h('li.state.state-empty', h('div.state-title', filtered ? 'No matching projects' : 'No projects yet'),
      h('p', filtered ? 'Try a different search or filter.' : 'Create one with “New project”.')));
    return;
  }
  mount(list, items.map((p) => projectItem(p, go)));
}

/** Wire the controls. reload() re-fetches from the server (q and sort are server-side). */
export function initProjects({ reload, go, newProject }) {
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
  subscribe(['projects', 'projectsLoading', 'projectsError', 'query', 'selectedId'], () => renderProjects(go));
  renderProjects(go);
}
