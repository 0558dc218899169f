// Operations tab: the project's ops (newest first) beside the live timeline.
import { h, mount, badge, fmtAgo, fmtDuration, loading, emptyState, errorState, kindLabel } from '../dom.js';
import { api } from '../api.js';
import { opTimeline } from './timeline.js';

let current = null; // {opId, timeline}
let reloadLatestList = () => {}; // the list of the most recent render

export function stopTimeline() {
  if (current) { current.timeline.stop(); current = null; }
}

function opItem(op, selected, go) {
  return h('li', h('a.op-item', {
    href: `#/ops/${encodeURIComponent(op.id)}`, 'aria-current': selected ? 'true' : null, 'data-op-id': op.id,
    onclick: (e) => { e.preventDefault(); go(op.id); },
  }, h('span.op-kind', kindLabel(op.kind)), badge(op.status),
  h('span.op-meta', h('code', { title: op.id }, op.id.length > 14 ? `…${op.id.slice(-8)}` : op.id), ' · ', fmtAgo(op.created_at),
    op.finished_at ? ` · ${fmtDuration(op.started_at || op.created_at, op.finished_at)}` : '')));
}

/**
 * Render the ops tab into container. projectId may be null (deep-linked op of an unknown project).
 * go(opId) changes the route; onOpChange(op) is told of status changes of the shown op.
 */
export function renderOps(container, { projectId, opId, go, onOpChange }) {
  const listEl = h('ul.op-list', { 'aria-label': 'Operations' }, h('li', loading('Loading operations…')));
  const detail = h('div.op-detail');
  mount(container, h('div.split',
    h('section.card.ops-card', h('div.card-head', h('h2', 'Operations'),
      h('button.btn.btn-sm.btn-ghost', { type: 'button', id: 'ops-refresh', onclick: () => loadList() }, 'Refresh')), listEl),
    detail));

  let ops = [];
  async function loadList() {
    if (!projectId) { mount(listEl, h('li', emptyState('Project not found', 'This operation belongs to a project that no longer exists, e.g. after a delete.'))); return; }
    try {
      ops = (await api.projectOps(projectId))?.ops || [];
      if (!ops.length) { mount(listEl, h('li', emptyState('No operations yet', 'Create, build or deploy to start one.'))); return; }
      mount(listEl, ops.map((op) => opItem(op, op.id === shown(), go)));
      if (!shown()) go(ops[0].id, { replace: true });
    } catch (err) {
      if (err.status === 404) mount(listEl, h('li', emptyState('Project not found', 'It may have been deleted.')));
      else mount(listEl, h('li', errorState(err, loadList)));
    }
  }
  const shown = () => current?.opId || opId;

  if (opId) {
    if (!current || current.opId !== opId) {
      stopTimeline();
      current = { opId, timeline: opTimeline(opId, { onChange: (op) => { onOpChange?.(op); reloadLatestList(); } }) };
    }
    mount(detail, current.timeline.el);
  } else {
    stopTimeline();
    mount(detail, h('section.card', emptyState('Select an operation', 'Its steps, durations and logs stream here live.')));
  }
  let t;
  reloadLatestList = () => { clearTimeout(t); t = setTimeout(loadList, 300); };
  loadList();
  return { reloadList: loadList };
}
