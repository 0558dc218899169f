// Transient notifications in the bottom-right corner (aria-live region).
import { h } from '../dom.js';

export function toast(message, { tone = 'ok', action, timeout = 6000 } = {}) {
  const box = document.getElementById('toasts');
  const el = h('div.toast', { class: `toast-${tone}` }, h('span', message),
    action ? h('a', { href: action.href, onclick: () => el.remove() }, action.label) : null,
    h('button.btn-icon.btn-ghost.btn', { type: 'button', 'aria-label': 'Dismiss', onclick: () => el.remove() }, '✕'));
  box.append(el);
  setTimeout(() => el.remove(), timeout);
  return el;
}
