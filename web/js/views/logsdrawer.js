// Logs drawer (issue 16): the last lines of an environment's container
// (?tail=200), then followed live over SSE (?follow=1&tail=0: `log` frames
// {line}, one `end` {reason} when the container stops). Keeps the last
// MAX_LINES lines, scrolls along while the reader is at the bottom, and
// closes its EventSource when it closes. One drawer at a time; Escape closes it.
import { h } from '../dom.js';
import { api } from '../api.js';

export const MAX_LINES = 2000;
const FLUSH_MS = 40;
const BOTTOM_SLACK_PX = 24;

/** The last `max` lines seen; push() says how many fell off the front. */
export class LineBuffer {
  constructor(max = MAX_LINES) { this.max = max; this.lines = []; this.total = 0; }

  push(lines) {
    for (const l of lines) this.lines.push(l);
    this.total += lines.length;
    const drop = Math.max(0, this.lines.length - this.max);
    if (drop) this.lines.splice(0, drop);
    return drop;
  }

  get last() { return this.lines.length ? this.lines[this.lines.length - 1] : undefined; }
}

/**
 * The server's follow tail is at least one line, so the first frame after a
 * (re)connect repeats the last line already shown: skip it then.
 */
export const isRepeat = (firstFrame, last, line) => firstFrame && last !== undefined && line === last;

const atBottom = (el) => el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK_PX;
const STATUS = { loading: 'Loading…', following: 'Following live', reconnecting: 'Reconnecting…', ended: 'Stream ended', error: 'Unavailable' };

let current = null;

class LogsDrawer {
  constructor(projectId, env) {
    this.projectId = projectId;
    this.env = env;
    this.buf = new LineBuffer();
    this.pending = [];
    this.onKey = (e) => { if (e.key === 'Escape' && !document.querySelector('dialog[open]')) { e.preventDefault(); this.close(); } };
    this.status = h('span.logs-status#logs-status', { role: 'status' });
    this.lines = h('div.logs-body#logs-lines', { tabindex: '0', role: 'log', 'aria-live': 'off', 'aria-label': `Log lines of ${env}` });
    this.count = h('span.logs-count');
    // A deploy replaces the container and ends the stream of the old one: Reload follows the current one.
    this.reloadBtn = h('button.btn.btn-sm#logs-reload', { type: 'button', hidden: true, title: 'Load the last lines again and follow the current container', onclick: () => this.reload() }, 'Reload');
    this.closeBtn = h('button.btn.btn-icon.btn-ghost#logs-close', { type: 'button', 'aria-label': 'Close logs', title: 'Close (Esc)', onclick: () => this.close() }, '✕');
    this.el = h('section.logs-drawer#logs-drawer', { role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'logs-title', 'data-env': env },
      h('div.logs-head', h('h2#logs-title', 'Logs · ', h('span.logs-env', env)), this.status, this.reloadBtn, this.closeBtn),
      this.lines,
      h('div.logs-foot', this.count, h('span', `keeps the last ${MAX_LINES} lines`)));
  }

  setState(state, detail = '') {
    this.el.dataset.state = state;
    this.status.textContent = detail ? `${STATUS[state]} · ${detail}` : STATUS[state];
    this.status.className = `logs-status st-${state}`;
    this.reloadBtn.hidden = state !== 'ended' && state !== 'error';
  }

  reload() {
    this.es?.close();
    this.es = null;
    this.pending = [];
    this.buf = new LineBuffer();
    this.lines.replaceChildren();
    this.setState('loading');
    this.load();
  }

  open() {
    document.body.append(this.el);
    document.addEventListener('keydown', this.onKey);
    this.closeBtn.focus();
    this.setState('loading');
    this.load();
  }

  async load() {
    try {
      const res = await api.logs(this.projectId, this.env, 200);
      if (this.closed) return;
      this.queue(res?.lines || []);
      this.flush(true);
      this.follow();
    } catch (err) {
      if (!this.closed) this.setState('error', `${err.message}${err.code ? ` (${err.code})` : ''}`);
    }
  }

  follow() {
    const es = new EventSource(api.logsFollowUrl(this.projectId, this.env));
    this.es = es;
    let first = true;
    es.onopen = () => { first = true; this.setState('following'); };
    es.addEventListener('log', (e) => {
      let line = '';
      try { line = JSON.parse(e.data).line ?? ''; } catch { line = e.data; }
      const last = this.pending.length ? this.pending[this.pending.length - 1] : this.buf.last;
      const repeat = isRepeat(first, last, line);
      first = false;
      if (!repeat) this.queue([line]);
    });
    es.addEventListener('end', (e) => {
      let d = {};
      try { d = JSON.parse(e.data || '{}'); } catch { /* keep {} */ }
      es.close();
      this.flush();
      this.setState('ended', [d.reason, d.message].filter(Boolean).join(': '));
    });
    es.onerror = () => {
      if (this.closed || this.el.dataset.state === 'ended') return;
      this.setState(es.readyState === EventSource.CLOSED ? 'error' : 'reconnecting', es.readyState === EventSource.CLOSED ? 'the stream could not be opened' : '');
    };
  }

  queue(lines) {
    this.pending.push(...lines);
    if (this.pending.length > MAX_LINES) this.pending.splice(0, this.pending.length - MAX_LINES);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Move queued lines into the buffer and the DOM; scroll along when the reader was at the bottom. */
  flush(scroll = false) {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.closed || !this.pending.length) { this.updateCount(); return; }
    const follow = scroll || atBottom(this.lines);
    const lines = this.pending;
    this.pending = [];
    this.buf.push(lines);
    this.lines.append(...lines.map((l) => h('div.log-line', l)));
    while (this.lines.childElementCount > MAX_LINES) this.lines.firstElementChild.remove();
    if (follow) this.lines.scrollTop = this.lines.scrollHeight;
    this.updateCount();
  }

  updateCount() {
    const n = this.buf.lines.length;
    this.count.textContent = `${n} line${n === 1 ? '' : 's'}${this.buf.total > n ? ` (of ${this.buf.total})` : ''}`;
  }

  close({ restoreFocus = true } = {}) {
    if (this.closed) return;
    this.closed = true;
    this.es?.close();
    clearTimeout(this.timer);
    document.removeEventListener('keydown', this.onKey);
    this.el.remove();
    if (current === this) current = null;
    if (restoreFocus) document.getElementById(`run-logs-${this.env}`)?.focus();
  }
}

/** Open the drawer for one environment (closing any other). */
export function openLogs({ projectId, env }) {
  current?.close({ restoreFocus: false });
  current = new LogsDrawer(projectId, env);
  current.open();
  return current;
}

/** Close the drawer, if open (the panel stopped or the project changed). */
export function closeLogs() { current?.close({ restoreFocus: false }); }
