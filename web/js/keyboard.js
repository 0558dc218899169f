// Global single-key shortcuts: "/" search, "r" refresh projects, "a" artifacts.
// Ignored while typing in a field, with modifiers, or while a dialog is open.

function typing(target) {
  const el = target instanceof Element ? target : null;
  if (!el) return false;
  return el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
}

export function initKeyboard(actions) {
  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    if (typing(e.target) || document.querySelector('dialog[open]')) return;
    const fn = { '/': actions.focusSearch, r: actions.refresh, a: actions.artifacts }[e.key];
    if (fn) { e.preventDefault(); fn(); }
  });
}
