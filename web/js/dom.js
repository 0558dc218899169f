// Tiny DOM and formatting helpers shared by every view. No framework:
// h() builds elements, the fmt* helpers turn API values into short labels.

/** h('div.a.b#id', {attrs}, children...) -> HTMLElement. Strings become text nodes. */
export function h(tag, attrs, ...children) {
  const [spec, id] = tag.split('#');
  const [name, ...classes] = spec.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (id) el.id = id;
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className += (el.className ? ' ' : '') + v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'text') el.textContent = v;
    else if (k === 'value' && 'value' in el) el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replace all children of el. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

const STATUS_TONES = {
  ok: 'ok', ready: 'ok', completed: 'ok', succeeded: 'ok', deployed: 'ok', active: 'ok',
  running: 'run', queued: 'wait', pending: 'wait', creating: 'run', updating: 'run', deleting: 'run', building: 'run',
  failed: 'bad', error: 'bad', degraded: 'warn', deleted: 'mute', unknown: 'mute', skipped: 'mute', cancelled: 'warn',
};

export function toneOf(status) {
  return STATUS_TONES[String(status || 'unknown').toLowerCase()] || 'mute';
}

/** A status pill: <span class="badge tone-ok">completed</span>. */
export function badge(status, extra = {}) {
  const s = status || 'unknown';
  return h('span.badge', { class: `tone-${toneOf(s)}`, 'data-status': s, ...extra }, s);
}

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function fmtAgo(iso) {
  if (!iso) return '';
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (Number.isNaN(s)) return '';
  if (s < 5) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function fmtDuration(startIso, endIso) {
  if (!startIso) return '';
  const start = new Date(startIso).getTime();
  const end = endIso ? new Date(endIso).getTime() : Date.now();
  const ms = Math.max(0, end - start);
  if (Number.isNaN(ms)) return '';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60000)}m ${Math.round((ms % 60000) / 1000)}s`;
}

export function fmtBytes(n) {
  if (n === undefined || n === null) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function fmtUptime(s) {
  if (s === undefined || s === null) return '';
  if (s < 60) return `${Math.floor(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export const shortSha = (c) => (c ? String(c).slice(0, 12) : '');

/** Last-op may be an id string or an object; normalise to {id, kind, status}. */
export function opRef(lastOp) {
  if (!lastOp) return null;
  if (typeof lastOp === 'string') return { id: lastOp };
  return { id: lastOp.id || lastOp.op_id, kind: lastOp.kind, status: lastOp.status };
}

/** Element that shows a spinner and a label: used for loading states. */
export function loading(label = 'Loading…') {
  return h('div.state.state-loading', { role: 'status' }, h('span.spinner', { 'aria-hidden': 'true' }), label);
}

export function emptyState(title, body, action) {
  return h('div.state.state-empty', h('div.state-title', title), body ? h('p', body) : null, action || null);
}

export function errorState(err, retry) {
  return h('div.state.state-error', { role: 'alert' },
    h('div.state-title', 'Something went wrong'),
    h('p', err?.message || String(err)),
    retry ? h('button.btn', { type: 'button', onclick: retry }, 'Retry') : null);
}

const KIND_LABELS = { ci: 'CI build', create: 'Create', update: 'Update', delete: 'Delete', deploy: 'Deploy',
  deployment: 'Deploy', promote: 'Promote', promotion: 'Promote', release: 'Release', rollback: 'Rollback' };
export const kindLabel = (kind) => KIND_LABELS[kind] || (kind ? kind[0].toUpperCase() + kind.slice(1) : 'Operation');

/** Short human text for an op trigger (string or {source, branch, commit, ...}). */
export function fmtTrigger(trigger) {
  if (!trigger) return '';
  if (typeof trigger !== 'object') return String(trigger);
  const parts = [trigger.source || trigger.kind || trigger.type];
  if (trigger.branch) parts.push(trigger.branch);
  if (trigger.commit) parts.push(String(trigger.commit).slice(0, 12));
  if (trigger.from_env || trigger.to_env) parts.push(`${trigger.from_env || '?'} → ${trigger.to_env || '?'}`);
  if (trigger.environment) parts.push(trigger.environment);
  return parts.filter(Boolean).join(' · ');
}
