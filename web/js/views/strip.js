// System strip: project count, health, active ops, image builder mode, version.
import { h, mount, fmtUptime } from '../dom.js';
import { state, subscribe } from '../state.js';

function item(id, tone, label, value, title) {
  return h('li.strip-item', { id, class: tone ? `tone-${tone}` : '', title: title || null, tabindex: title ? '0' : null },
    tone ? h('span.dot', { 'aria-hidden': 'true' }) : null, h('span.label-long', label), h('strong', value));
}

function healthItem() {
  const hl = state.health;
  if (!hl) return item('strip-health', 'mute', 'Health', 'checking…');
  if (hl.error) return item('strip-health', 'bad', 'Health', 'unreachable', hl.error);
  const tone = hl.status === 'ok' ? 'ok' : 'warn';
  const nats = typeof hl.nats === 'object' ? JSON.stringify(hl.nats) : String(hl.nats ?? '?');
  return item('strip-health', tone, 'Health', hl.status, `NATS: ${nats} · up ${fmtUptime(hl.uptime_s)}`);
}

function builderItem() {
  const ib = state.system?.image_builder;
  if (!ib) return item('strip-builder', null, 'Builder', '—');
  const fallback = ib.requested && ib.effective && ib.requested !== ib.effective;
  const title = [`requested: ${ib.requested}${ib.requested_explicitly ? ' (explicit)' : ' (default)'}`,
    `effective: ${ib.effective}`, ib.reason ? `reason: ${ib.reason}` : null].filter(Boolean).join('\n');
  return item('strip-builder', fallback ? 'warn' : null, 'Builder', ib.effective || ib.requested, title);
}

export function renderStrip() {
  const active = [...state.activeOps.values()].filter((o) => o.status === 'queued' || o.status === 'running').length;
  const sys = state.system;
  mount(document.getElementById('strip-items'),
    item('strip-projects', null, 'Projects', state.projectsLoading && !state.projects.length ? '…' : String(state.projects.length)),
    h('li.strip-sep', { 'aria-hidden': 'true' }),
    healthItem(),
    h('li.strip-sep', { 'aria-hidden': 'true' }),
    item('strip-ops', active ? 'run' : 'mute', 'Active ops', String(active)),
    h('li.strip-sep', { 'aria-hidden': 'true' }),
    builderItem(),
    sys?.nats ? item('strip-nats', null, 'NATS', sys.nats.mode || '—', sys.nats.url || '') : null,
    h('li.strip-item.right', { id: 'strip-version', title: sys ? `API ${sys.listen_url || ''}\nArtifacts: ${sys.artifacts_root || ''}` : null },
      h('span.label-long', 'paas'), h('strong', sys?.version ? `v${sys.version}` : '')));
}

export function initStrip() {
  subscribe(['projects', 'projectsLoading', 'health', 'system', 'activeOps'], renderStrip);
  renderStrip();
}
