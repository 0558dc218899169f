// Run state of an environment on the delivery path (issue 16): a state dot
// with a label and the health details as its title, Open (the URL), Stop /
// Start and Logs. The pure helpers are tested in web/tests/logic.test.js.
import { h, fmtTime } from '../dom.js';

/** Dot colours (css/panels.css): running green, starting/unhealthy amber, stopped grey; none has no dot. */
const LABELS = { running: 'Running', starting: 'Starting', unhealthy: 'Unhealthy', stopped: 'Stopped' };

/** {state, cls, label} for the dot, or null when nothing runs (state none, or no run info). */
export function runDot(run) {
  const label = LABELS[run?.state];
  if (!label) return null;
  return { state: run.state, cls: `run-dot run-${run.state}`, label };
}

/** The dot's title: state plus the last health check. */
export function healthTitle(run) {
  const dot = runDot(run);
  if (!dot) return '';
  const parts = [dot.label];
  const hl = run.health;
  if (hl) {
    const status = hl.status ? `HTTP ${hl.status}` : '';
    parts.push(`health ${hl.ok ? 'ok' : 'failing'}${status ? ` (${status})` : ''}`);
    if (hl.error) parts.push(hl.error);
    if (hl.checked_at) parts.push(`checked ${fmtTime(hl.checked_at)}`);
  } else if (run.state === 'running' || run.state === 'unhealthy') {
    parts.push('no health check yet');
  }
  if (run.release) parts.push(`release #${run.release}`);
  return parts.join(' · ');
}

/** The URL answers (or should) only while a container serves. */
export const canOpen = (run) => !!run?.url && (run.state === 'running' || run.state === 'unhealthy');

/** 'stop', 'start' or '' — which control the environment offers. */
export function runControl(run) {
  if (run?.mode !== 'docker' || !run.container_id) return '';
  return run.state === 'stopped' ? 'start' : 'stop';
}

export const hasLogs = (run) => !!run?.container_id;

/** Poll /environments while some environment runs on Docker: health changes are not events. */
export const wantsPolling = (runs) => Object.values(runs || {}).some((r) => r?.mode === 'docker');

/** What the run block shows; equal keys need no re-render (the title may still change). */
export const runKey = (run, busy) => JSON.stringify([run?.state, run?.mode, run?.url, run?.container_id, !!busy]);

/**
 * The run block of one environment node: div.env-run[data-env][data-state].
 * on = {control(env, 'stop'|'start'), logs(env)}; busy disables the controls.
 */
export function runBlock(env, run, { busy, on }) {
  const dot = runDot(run);
  const control = runControl(run);
  const el = h('div.env-run', { 'data-env': env, 'data-state': run?.state || 'none', 'data-key': runKey(run, busy) });
  if (!dot && !control && !hasLogs(run)) return el;
  const label = control === 'stop' ? 'Stop' : 'Start';
  el.append(
    dot ? h('div.run-state', { title: healthTitle(run) },
      h('span', { class: dot.cls, 'data-state': dot.state, 'aria-hidden': 'true' }),
      h('span.run-label', dot.label),
      canOpen(run) ? h('code.run-url', run.url.replace(/^https?:\/\//, '')) : null) : null,
    h('div.run-actions',
      canOpen(run) ? h('a.btn.btn-sm', { id: `run-open-${env}`, href: run.url, target: '_blank', rel: 'noopener noreferrer',
        title: `Open ${env} (${run.url}) in a new tab` }, 'Open ↗') : null,
      control ? h('button.btn.btn-sm', { type: 'button', id: `run-${control}-${env}`, disabled: busy || null,
        title: `${label} ${env}'s container`, onclick: () => on.control(env, control) }, label) : null,
      hasLogs(run) ? h('button.btn.btn-sm', { type: 'button', id: `run-logs-${env}`, 'aria-haspopup': 'dialog',
        title: `Logs of ${env}'s container`, onclick: () => on.logs(env) }, 'Logs') : null));
  return el;
}

/**
 * Replace the run blocks under root whose key changed; keep the others (and
 * the focus), refreshing only their title. blocks: env -> element.
 */
export function patchRunBlocks(root, blocks) {
  const focused = document.activeElement?.id;
  for (const [env, next] of Object.entries(blocks)) {
    const old = root.querySelector(`.env-run[data-env="${CSS.escape(env)}"]`);
    if (!old) continue;
    if (old.dataset.key === next.dataset.key) {
      const t = next.querySelector('.run-state')?.title;
      const o = old.querySelector('.run-state');
      if (o && t !== undefined) o.title = t;
      continue;
    }
    old.replaceWith(next);
  }
  if (focused && document.activeElement?.id !== focused) document.getElementById(focused)?.focus();
}
