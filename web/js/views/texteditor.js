// The spec editor's source pane as a plain <textarea>: the fallback when the
// CodeMirror editor (codeeditor.js and web/vendor/) cannot load, e.g. if a
// Content-Security-Policy blocks the import map. Same interface as
// codeeditor.js: {el, input, value, load(), showProblems(), problems,
// selectLine(), focus()}; 422 details get a line number (found by a
// line-based key match) but no in-text markers.
import { h } from '../dom.js';

/** Line (1-based) in text where the last key of a JSON pointer appears, or 0. */
export function lineOfPath(text, path) {
  const key = String(path || '').split('/').filter((s) => s && !/^\d+$/.test(s)).pop();
  if (!key) return 0;
  const re = new RegExp(`^\\s*(-\\s*)?"?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?\\s*:`);
  const idx = text.split('\n').findIndex((l) => re.test(l));
  return idx + 1;
}

export function textEditor({ id, label, describedBy, onInput } = {}) {
  const text = h('textarea', { id: id || null, rows: 18, spellcheck: 'false', 'aria-label': label || 'Source', 'aria-describedby': describedBy || null });
  let problems = [];
  text.addEventListener('input', () => { problems = []; text.removeAttribute('aria-invalid'); onInput?.(); });
  const api = {
    el: text, input: text, kind: 'textarea',
    get value() { return text.value; },
    set value(v) { api.load(v); },
    load(v) { text.value = String(v ?? ''); problems = []; },
    get problems() { return problems; },
    showProblems(details = []) {
      problems = details;
      return details.map((d) => ({ ...d, line: lineOfPath(text.value, d.path) }));
    },
    selectLine(line) {
      const lines = text.value.split('\n');
      const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
      text.focus();
      text.setSelectionRange(start, start + (lines[line - 1] || '').length);
    },
    focus() { text.focus(); },
  };
  return api;
}
