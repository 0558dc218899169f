// Live op streams. OpStream follows one operation over SSE, resumes with
// Last-Event-ID (natively, or ?lastEventId= on a manual reconnect) and falls
// back to ETag polling (If-None-Match -> 304) when EventSource cannot connect.
// GlobalFeed follows /api/events for the system strip.
import { api } from './api.js';

export const OP_EVENTS = ['op.bootstrap', 'op.status', 'step.started', 'step.log', 'step.completed',
  'step.failed', 'step.cancelled', 'op.cancel_requested', 'op.completed', 'op.failed', 'op.cancelled', 'op.heartbeat'];
/** An op's last event, and the status it ends with. */
export const TERMINAL_EVENTS = { 'op.completed': 'completed', 'op.failed': 'failed', 'op.cancelled': 'cancelled' };
const TERMINAL = new Set(Object.values(TERMINAL_EVENTS));
export const isTerminal = (status) => TERMINAL.has(status);
/** Queued and running ops can be cancelled (POST /api/ops/{id}/cancel). */
export const isCancellable = (op) => !!op && (op.status === 'queued' || op.status === 'running') && op.kind !== 'delete';

const POLL_MS = 1500;
const SSE_RETRY_MS = 4000;
const MAX_SSE_ERRORS = 3;

export class OpStream {
  /** handlers: {snapshot(op), event(type, data), mode(m)}; m is connecting|live|reconnecting|polling|done|gone. */
  constructor(opId, handlers) {
    this.opId = opId;
    this.h = handlers;
    this.lastEventId = '';
    this.etag = '';
    this.status = '';
    this.errors = 0;
    this.stopped = false;
  }

  start() { this.connect(); return this; }

  stop() {
    this.stopped = true;
    this.closeEs();
    clearTimeout(this.pollTimer);
    clearTimeout(this.retryTimer);
  }

  setMode(m) { if (this.mode !== m) { this.mode = m; this.h.mode?.(m); } }

  closeEs() { if (this.es) { this.es.close(); this.es = null; } }

  connect() {
    if (this.stopped) return;
    this.closeEs();
    const q = this.lastEventId ? `?lastEventId=${encodeURIComponent(this.lastEventId)}` : '';
    const es = new EventSource(`api/ops/${encodeURIComponent(this.opId)}/events${q}`);
    this.es = es;
    if (this.mode !== 'polling') this.setMode(this.lastEventId ? 'reconnecting' : 'connecting');
    es.onopen = () => {
      this.errors = 0;
      clearTimeout(this.pollTimer);
      this.pollTimer = null;
      this.setMode('live');
    };
    for (const type of OP_EVENTS) es.addEventListener(type, (e) => this.onFrame(type, e));
    es.onerror = () => this.onError(es);
  }

  onFrame(type, e) {
    if (e.lastEventId) this.lastEventId = e.lastEventId;
    let data = {};
    try { data = e.data ? JSON.parse(e.data) : {}; } catch { data = { raw: e.data }; }
    if (type === 'op.bootstrap') {
      const snap = data.op || data;
      this.status = snap.status || this.status;
      this.h.snapshot?.(snap);
      return;
    }
    if (data.status && type.startsWith('op.')) this.status = data.status;
    if (TERMINAL_EVENTS[type]) this.status = TERMINAL_EVENTS[type];
    this.h.event?.(type, data);
    if (TERMINAL_EVENTS[type]) this.finish();
  }

  onError(es) {
    if (this.stopped || es !== this.es) return;
    if (isTerminal(this.status)) { this.finish(); return; }
    this.errors += 1;
    if (es.readyState === EventSource.CLOSED || this.errors >= MAX_SSE_ERRORS) {
      this.closeEs();
      this.startPolling();
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => { this.retryTimer = null; this.connect(); }, SSE_RETRY_MS);
    } else if (this.mode !== 'polling') {
      this.setMode('reconnecting');
    }
  }

  finish() {
    this.closeEs();
    clearTimeout(this.pollTimer);
    clearTimeout(this.retryTimer);
    this.setMode('done');
  }

  startPolling() {
    if (this.pollTimer || this.stopped) return;
    this.setMode('polling');
    const tick = async () => {
      if (this.stopped || this.mode === 'live') { this.pollTimer = null; return; }
      try {
        const r = await api.opIfChanged(this.opId, this.etag);
        if (this.stopped || this.mode === 'live') { this.pollTimer = null; return; }
        if (r.status === 200 && r.body) {
          this.etag = r.etag;
          this.status = r.body.status;
          this.h.snapshot?.(r.body);
        }
        if (isTerminal(this.status)) { this.pollTimer = null; this.finish(); return; }
      } catch (err) {
        if (err?.status === 404) { this.stop(); this.setMode('gone'); this.h.gone?.(err); return; }
        /* server down: keep trying */
      }
      this.pollTimer = setTimeout(tick, POLL_MS);
      if (!this.es && !this.retryTimer) this.retryTimer = setTimeout(() => { this.retryTimer = null; this.connect(); }, SSE_RETRY_MS);
    };
    this.pollTimer = setTimeout(tick, 0);
  }
}

/** Follows GET /api/events; calls onEvent(type, data). Reconnects forever. */
export class GlobalFeed {
  constructor(onEvent, onState) { this.onEvent = onEvent; this.onState = onState; }

  start() {
    const es = new EventSource('api/events');
    this.es = es;
    es.onopen = () => this.onState?.('live');
    const handler = (type) => (e) => {
      let data = {};
      try { data = JSON.parse(e.data || '{}'); } catch { /* ignore malformed frame */ }
      this.onEvent(data.type || type, data);
    };
    for (const t of [...OP_EVENTS, 'message']) es.addEventListener(t, handler(t));
    es.onerror = () => {
      this.onState?.('reconnecting');
      if (es.readyState === EventSource.CLOSED) {
        this.es = null;
        setTimeout(() => this.start(), 5000);
      }
    };
    return this;
  }
}
