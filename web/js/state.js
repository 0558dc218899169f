// Application state: one plain object plus change notification. Views read
// state.* and subscribe to the keys they render; only app.js and the views'
// action handlers write through set().

const listeners = new Map();

export const state = {
  projects: [],          // the pages of /api/projects loaded so far, in order
  projectsCursor: null,  // next_cursor of the last page loaded (null: all loaded)
  projectsTotal: 0,      // live projects on the server (before q)
  projectsError: null,
  projectsLoading: true,
  query: { q: '', sort: 'name', status: '' },
  selectedId: null,      // selected project id, or null
  creating: false,       // workspace shows the "new project" editor
  tab: 'overview',       // overview | spec | delivery | ops | artifacts
  opId: null,            // op shown in the timeline
  system: null,
  health: null,
  activeOps: new Map(),  // op_id -> {status, kind, project_id}
};

/** Set keys and notify subscribers of each key that changed. */
export function set(patch) {
  const changed = [];
  for (const [k, v] of Object.entries(patch)) {
    if (state[k] !== v) { state[k] = v; changed.push(k); }
  }
  const called = new Set();
  for (const k of changed) {
    for (const fn of listeners.get(k) || []) {
      if (!called.has(fn)) { called.add(fn); fn(state); }
    }
  }
}

/** Force-notify subscribers of keys (for in-place mutations like activeOps). */
export function touch(...keys) {
  const called = new Set();
  for (const k of keys) for (const fn of listeners.get(k) || []) if (!called.has(fn)) { called.add(fn); fn(state); }
}

export function subscribe(keys, fn) {
  for (const k of keys) {
    if (!listeners.has(k)) listeners.set(k, new Set());
    listeners.get(k).add(fn);
  }
}

export const selectedProject = () => state.projects.find((p) => p.id === state.selectedId) || null;
