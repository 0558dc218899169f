// Live operation timeline: op header, steps with durations, streaming logs,
// and a Cancel button while the op is queued or running.
// Fed by OpStream (SSE with Last-Event-ID resume, polling fallback).
import { h, mount, badge, fmtTime, fmtDuration, kindLabel, fmtTrigger } from '../dom.js';
import { api } from '../api.js';
import { OpStream, isTerminal, isCancellable } from '../sse.js';

const MODE_LABEL = {
  connecting: ['Connecting…', 'wait'], live: ['Live', 'ok'], reconnecting: ['Reconnecting…', 'warn'],
  polling: ['Polling', 'warn'], done: ['Final', 'mute'], gone: ['Not found', 'bad'],
};
const MAX_LOG_LINES = 2000;

/** Create a timeline for opId. Returns {el, stop()}. onChange(op) fires on every status change. */
export function opTimeline(opId, { onChange } = {}) {
  const el = h('section.card.timeline', { 'aria-label': `Operation ${opId}`, 'data-op-id': opId });
  const model = { op: null, steps: new Map(), order: [], mode: 'connecting', heartbeat: null, error: null };
  const userOpen = new Map(); // step name -> open, once the user toggled its logs
  let raf = 0;
  let lastStatus = '';
  const seen = new Set(); // stream modes seen, exposed as data-modes-seen
  const cancel = { busy: false, error: null };

  const step = (name) => {
    if (!model.steps.has(name)) { model.steps.set(name, { name, status: 'pending', logs: [] }); model.order.push(name); }
    return model.steps.get(name);
  };
  const schedule = () => { if (!raf) raf = requestAnimationFrame(() => { raf = 0; render(); }); };

  function snapshot(op) {
    model.op = { ...(model.op || {}), ...op };
    for (const s of op.steps || []) {
      const cur = step(s.name);
      const { logs, ...rest } = s;
      Object.assign(cur, rest);
      if (Array.isArray(logs) && !cur.logs.length) cur.logs = logs.slice(-MAX_LOG_LINES);
    }
    schedule();
  }

  function event(type, d) {
    const op = model.op || (model.op = { id: opId });
    if (d.step) {
      const s = step(d.step);
      if (type === 'step.started') Object.assign(s, { status: 'running', started_at: d.at || s.started_at });
      if (type === 'step.completed') Object.assign(s, { status: 'completed', finished_at: d.at, outputs: d.outputs || s.outputs, message: d.message || s.message });
      if (type === 'step.failed') Object.assign(s, { status: 'failed', finished_at: d.at, message: d.message || d.error?.message || s.message });
      if (type === 'step.cancelled') Object.assign(s, { status: 'cancelled', finished_at: d.at, message: d.message || s.message });
      if (type === 'step.log' && d.line !== undefined) {
        s.logs.push(String(d.line));
        if (s.logs.length > MAX_LOG_LINES) s.logs.splice(0, s.logs.length - MAX_LOG_LINES);
      }
    }
    if (type === 'op.status' && d.status) op.status = d.status;
    if (type === 'op.completed') Object.assign(op, { status: 'completed', finished_at: d.at || op.finished_at });
    if (type === 'op.failed') Object.assign(op, { status: 'failed', finished_at: d.at || op.finished_at, error: d.error || op.error });
    if (type === 'op.cancel_requested') op.cancel_requested_at = d.requested_at || d.at;
    if (type === 'op.cancelled') Object.assign(op, { status: 'cancelled', finished_at: d.at || op.finished_at, error: d.error || op.error });
    if (type === 'op.heartbeat') model.heartbeat = d.at || new Date().toISOString();
    if (op.status === 'running' && !op.started_at) op.started_at = d.at;
    schedule();
  }

  const stream = new OpStream(opId, {
    snapshot, event,
    mode: (m) => { model.mode = m; seen.add(m); el.dataset.modesSeen = [...seen].join(' '); schedule(); },
  });

  async function requestCancel() {
    Object.assign(cancel, { busy: true, error: null });
    schedule();
    try {
      const r = await api.cancelOp(opId);
      if (r?.op) snapshot(r.op);
    } catch (err) {
      cancel.error = err;
    } finally {
      cancel.busy = false;
      schedule();
    }
  }

  /** Cancel, while the op is queued or running; "Cancelling…" once requested. */
  function cancelButton(op) {
    if (!isCancellable(op)) return null;
    const requested = !!op.cancel_requested_at;
    return h('button.btn.btn-sm.btn-danger#timeline-cancel', {
      type: 'button', disabled: requested || cancel.busy ? true : null, 'data-requested': requested ? 'true' : null,
      title: requested ? 'Cancel requested: the op stops at the end of its running step' : 'Cancel this operation',
      onclick: requestCancel,
    }, requested ? 'Cancelling…' : 'Cancel');
  }

  function renderStep(s, i) {
    const running = s.status === 'running';
    const isOpen = userOpen.has(s.name) ? userOpen.get(s.name) : (running || s.status === 'failed');
    const logPre = h('pre.log', { 'aria-label': `${s.name} log` }, s.logs.length ? s.logs.join('\n') : h('span.faint', running ? 'Waiting for output…' : 'No log output.'));
    const details = h('details.step-body', { open: isOpen || null },
      h('summary', { onclick: () => userOpen.set(s.name, !details.open) }, 'Logs', s.logs.length ? h('span.count', String(s.logs.length)) : null),
      logPre,
      s.outputs && Object.keys(s.outputs).length ? h('dl.outputs', Object.entries(s.outputs).flatMap(([k, v]) =>
        [h('dt', k), h('dd.mono', typeof v === 'object' ? JSON.stringify(v) : String(v))])) : null);
    if (running) requestAnimationFrame(() => { logPre.scrollTop = logPre.scrollHeight; });
    return h('li.step', { class: `st-${s.status}`, 'data-step': s.name, 'data-status': s.status },
      h('span.step-marker', { 'aria-hidden': 'true' }, String(i + 1)),
      h('div.step-main',
        h('div.step-head', h('span.step-name', s.name), badge(s.status),
          h('span.step-dur.mono', s.started_at ? fmtDuration(s.started_at, s.finished_at) : '')),
        s.message ? h('div.step-msg', { class: s.status === 'failed' ? 'bad' : '' }, s.message) : null,
        details));
  }

  function render() {
    const op = model.op;
    const [modeLabel, modeTone] = MODE_LABEL[model.mode] || MODE_LABEL.connecting;
    if (op?.status && op.status !== lastStatus) { lastStatus = op.status; onChange?.(op); }
    const header = h('div.card-head.timeline-head',
      h('div', h('h2', op?.kind ? kindLabel(op.kind) : 'Operation', ' ', h('code.op-id', opId)),
        h('div.sub', op ? [`created ${fmtTime(op.created_at)}`, op.trigger ? ` · ${fmtTrigger(op.trigger)}` : '',
          op.started_at ? ` · took ${fmtDuration(op.started_at, op.finished_at)}` : ''].join('') : 'Loading snapshot…')),
      h('div.timeline-status',
        h('span.conn', { class: `tone-${modeTone}`, id: 'timeline-conn', 'data-mode': model.mode, title: 'Event stream state' }, modeLabel),
        op?.status ? badge(op.status, { id: 'timeline-status' }) : null, cancelButton(op)));
    const err = op?.error && (op.error.message || op.error.code)
      ? h('div.error-banner', { role: 'alert' }, h('strong', op.error.code || 'error'), ` ${op.error.message || ''}`) : null;
    const cancelErr = cancel.error && !isTerminal(op?.status)
      ? h('div.error-banner#timeline-cancel-error', { role: 'alert' }, h('strong', 'Cancel refused'), ` ${cancel.error.message}`) : null;
    if (model.mode === 'gone' && !op) {
      mount(el, header, h('div.card-body', h('div.state.state-error', { role: 'alert' }, h('div.state-title', 'Operation not found'),
        h('p', `The server has no operation ${opId}. It may belong to a deleted project.`))));
      return;
    }
    const steps = model.order.map((n) => model.steps.get(n));
    const done = steps.filter((s) => s.status === 'completed').length;
    const progress = steps.length ? h('div.progress', { role: 'progressbar', 'aria-label': 'Steps completed',
      'aria-valuemin': '0', 'aria-valuemax': String(steps.length), 'aria-valuenow': String(done) },
    h('div.progress-bar', { class: op?.status === 'failed' ? 'bad' : '', style: `width:${Math.round((100 * done) / steps.length)}%` }),
    h('span.progress-label', `${done}/${steps.length} steps`)) : null;
    const body = steps.length ? h('ol.steps', steps.map(renderStep))
      : h('div.state', h('span.spinner', { 'aria-hidden': 'true' }), op && isTerminal(op.status) ? 'No steps recorded.' : 'Waiting for the first step…');
    mount(el, header, progress, h('div.card-body', err, cancelErr, body));
  }

  render();
  stream.start();
  const ticker = setInterval(() => { if (model.op && !isTerminal(model.op.status)) schedule(); }, 1000);
  return { el, stop: () => { stream.stop(); clearInterval(ticker); cancelAnimationFrame(raf); } };
}
