// Modal confirmation dialog (native <dialog>) and the unified diff renderer.
import { h, mount } from '../dom.js';

/** Render unified diff text with +/- line colouring. */
export function diffView(unified) {
  if (!unified || !unified.trim()) return h('div.state', 'No differences between the two environments.');
  return h('pre.diff', { 'aria-label': 'Diff' }, unified.split('\n').map((l) => {
    const cls = l.startsWith('+++') || l.startsWith('---') ? 'd-file' : l.startsWith('@@') ? 'd-hunk'
      : l.startsWith('+') ? 'd-add' : l.startsWith('-') ? 'd-del' : 'd-ctx';
    return h('span', { class: cls }, `${l}\n`);
  }));
}

/**
 * Show a confirmation dialog. body may be a Node or a Promise<Node> (rendered when ready).
 * Resolves true when confirmed, false when cancelled or dismissed.
 */
export function confirmDialog({ title, body, confirmLabel = 'Confirm', danger = false }) {
  const dlg = document.getElementById('confirm-dialog');
  const content = h('div.dialog-body');
  return new Promise((resolve) => {
    const done = (v) => { dlg.close(); resolve(v); };
    const ok = h(`button.btn.${danger ? 'btn-danger' : 'btn-primary'}#confirm-ok`, { type: 'button', onclick: () => done(true) }, confirmLabel);
    mount(dlg,
      h('div.dialog-head', h('h2#confirm-title', title),
        h('button.btn.btn-icon.btn-ghost', { type: 'button', 'aria-label': 'Close', onclick: () => done(false) }, '✕')),
      content,
      h('div.dialog-foot', h('button.btn#confirm-cancel', { type: 'button', onclick: () => done(false) }, 'Cancel'), ok));
    dlg.oncancel = (e) => { e.preventDefault(); done(false); };
    if (body instanceof Promise) {
      content.append(h('div.state.state-loading', h('span.spinner'), 'Loading…'));
      body.then((node) => mount(content, node), (err) => mount(content, h('div.error-banner', { role: 'alert' }, err.message)));
    } else mount(content, body);
    dlg.showModal();
    ok.focus();
  });
}
