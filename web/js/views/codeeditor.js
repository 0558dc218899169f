// The spec editor's YAML / JSON source pane: CodeMirror 6 (vendored under
// web/vendor/, resolved through the import map in index.html) with syntax
// highlighting, line numbers and the last 422 answer shown as lint markers.
// Each `error.details[]` entry {path: "/spec/...", message} is placed on the
// line of its key by walking the lezer syntax tree (YAML or JSON) along the
// JSON pointer; a pointer that can't be followed is shown on line 1.
// Markers clear as soon as the text changes.
//
// Same interface as texteditor.js (the plain textarea used when these
// modules can't load): {el, input, value, load(), showProblems(), problems,
// selectLine(), focus()}. The editable element (input, the .cm-content)
// carries the given id and, like a textarea, `value`, `selectionStart` and
// `selectionEnd` properties, so tests and callers can read it either way.
import { EditorState, StateField, StateEffect } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection, highlightSpecialChars } from '@codemirror/view';
import { syntaxHighlighting, ensureSyntaxTree, syntaxTree, bracketMatching, indentOnInput, indentUnit } from '@codemirror/language';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { linter, lintGutter, forceLinting, setDiagnostics } from '@codemirror/lint';
import { json } from '@codemirror/lang-json';
import { yaml } from '@codemirror/lang-yaml';
import { tagHighlighter, tags as t } from '@lezer/highlight';

/** Token classes (styled in css/editor.css with the theme's variables, so light and dark follow). */
const highlighter = tagHighlighter([
  { tag: [t.propertyName, t.definition(t.propertyName)], class: 'tok-key' },
  { tag: t.string, class: 'tok-string' },
  { tag: t.special(t.string), class: 'tok-string2' },
  { tag: t.number, class: 'tok-number' },
  { tag: [t.bool, t.null, t.atom], class: 'tok-atom' },
  { tag: t.content, class: 'tok-value' },
  { tag: t.comment, class: 'tok-comment' },
  { tag: [t.meta, t.keyword], class: 'tok-meta' },
  { tag: [t.labelName, t.typeName, t.attributeValue], class: 'tok-tag' },
  { tag: [t.separator, t.brace, t.squareBracket, t.punctuation], class: 'tok-punct' },
]);

const theme = EditorView.theme({
  '&': {
    minHeight: '320px', maxHeight: '70vh', border: '1px solid var(--border-strong)', borderRadius: 'var(--radius-sm)',
    background: 'var(--bg-elev)', color: 'var(--text)', fontSize: '12.5px',
  },
  '&.cm-focused': { outline: 'none', borderColor: 'var(--accent)', boxShadow: '0 0 0 3px var(--accent-ring)' },
  '&.cm-has-problems': { borderColor: 'var(--bad)' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.55' },
  '.cm-content': { padding: '8px 0', caretColor: 'var(--text)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--text)' },
  '.cm-gutters': { background: 'var(--bg-sunken)', color: 'var(--text-faint)', borderRight: '1px solid var(--border)', borderRadius: 'var(--radius-sm) 0 0 var(--radius-sm)' },
  '.cm-activeLine': { background: 'rgba(127, 127, 127, .07)' }, // no color-mix(): Chromium 102 lacks it
  '.cm-activeLineGutter': { background: 'var(--bg-hover)', color: 'var(--text-muted)' },
  '.cm-selectionBackground, &.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground': { background: 'var(--bg-selected)' },
  '&.cm-focused .cm-matchingBracket': { background: 'var(--accent-soft)', outline: '1px solid var(--accent-line)' },
  '.cm-tooltip': { background: 'var(--bg-elev)', color: 'var(--text)', border: '1px solid var(--border-strong)', borderRadius: 'var(--radius-sm)', boxShadow: 'var(--shadow-lg)' },
  '.cm-diagnostic': { fontFamily: 'var(--font)', fontSize: '12px' },
  '.cm-diagnostic-error': { borderLeftColor: 'var(--bad)' },
  '.cm-diagnosticSource': { fontFamily: 'var(--mono)', opacity: '.75' },
});

// ---- JSON pointer -> syntax node ------------------------------------------

const MAPPINGS = new Set(['Object', 'BlockMapping', 'FlowMapping']);
const SEQUENCES = new Set(['Array', 'BlockSequence', 'FlowSequence']);
const PUNCT = /^[[\]{}:,-]$/;

/** The children of a node (SyntaxNode API: firstChild / nextSibling). */
function kids(node) {
  const out = [];
  for (let c = node?.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

/** Step over wrappers to the node that holds a value (a document, a YAML tag/anchor, a sequence item). */
function unwrap(node) {
  while (node && ['JsonText', 'Stream', 'Document', 'Tagged', 'Anchored', 'Item'].includes(node.name)) {
    const inner = kids(node).filter((c) => !PUNCT.test(c.name) && !['Tag', 'Anchor', 'Comment', 'DirectiveEnd', 'DocEnd', 'Directive'].includes(c.name));
    node = node.name === 'Stream' ? inner.find((c) => c.name === 'Document') : inner[inner.length - 1];
  }
  return node || null;
}

/** The text of a mapping key, with JSON / YAML quoting undone. */
function keyText(doc, keyNode) {
  const node = keyNode.name === 'Key' ? (keyNode.firstChild || keyNode) : keyNode;
  const raw = doc.sliceString(node.from, node.to).trim();
  if (raw.startsWith('"')) { try { return JSON.parse(raw); } catch { return raw.slice(1, -1); } }
  if (raw.startsWith("'")) return raw.slice(1, -1).replace(/''/g, "'");
  return raw;
}

/** Members of a mapping: [{key, keyNode, pair, value}]. */
function members(doc, node) {
  return kids(node).filter((c) => c.name === 'Pair' || c.name === 'Property').map((pair) => {
    const parts = kids(pair);
    const keyNode = parts.find((c) => c.name === 'Key' || c.name === 'PropertyName');
    const value = parts.filter((c) => c !== keyNode && !PUNCT.test(c.name) && c.name !== 'Comment').pop() || null;
    return { key: keyNode ? keyText(doc, keyNode) : '', keyNode: keyNode || pair, pair, value };
  });
}

/** Elements of a sequence: [{node}] (the Item for YAML, the value for JSON). */
function elements(node) {
  return kids(node).filter((c) => !PUNCT.test(c.name) && c.name !== 'Comment');
}

/** "/spec/a/b~1c" -> ['a', 'b/c'] (the editor's text is the spec itself); null if not under /spec. */
export function pointerSegments(path) {
  const parts = String(path || '').split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (parts[0] !== 'spec') return null;
  return parts.slice(1);
}

/**
 * Follow a JSON pointer through a lezer YAML or JSON tree.
 * Returns {from, to, depth, complete}: the range to mark (a key, or an array
 * element), how many segments were followed, and whether all of them were.
 */
export function locatePointer(state, path) {
  const segs = pointerSegments(path) || [];
  const tree = ensureSyntaxTree(state, state.doc.length, 500) || syntaxTree(state);
  let node = unwrap(tree.topNode);
  let mark = null;
  let depth = 0;
  for (const seg of segs) {
    let hit = null;
    if (node && MAPPINGS.has(node.name)) {
      const m = members(state.doc, node).filter((x) => x.key === seg).pop(); // the last duplicate wins, as in JSON.parse
      if (m) hit = { from: m.keyNode.from, to: m.pair.to, next: m.value };
    } else if (node && SEQUENCES.has(node.name) && /^\d+$/.test(seg)) {
      const el = elements(node)[Number(seg)];
      if (el) hit = { from: el.from, to: el.to, next: el };
    }
    if (!hit) break;
    mark = hit;
    depth += 1;
    node = unwrap(hit.next);
  }
  if (!mark) return { from: 0, to: state.doc.line(1).to, depth: 0, complete: false };
  const line = state.doc.lineAt(mark.from);
  return { from: mark.from, to: Math.max(Math.min(mark.to, line.to), mark.from), depth, complete: segs.length > 0 && depth === segs.length };
}

// ---- the 422 answer as lint diagnostics -----------------------------------

const setProblems = StateEffect.define();
/** The last 422 details for this text; dropped on the first change of the text. */
const problemsField = StateField.define({
  create: () => [],
  update(value, tr) {
    for (const e of tr.effects) if (e.is(setProblems)) return e.value;
    return tr.docChanged ? [] : value;
  },
  provide: (f) => [
    EditorView.contentAttributes.from(f, (p) => (p.length ? { 'aria-invalid': 'true' } : {})),
    EditorView.editorAttributes.from(f, (p) => (p.length ? { class: 'cm-has-problems' } : {})),
  ],
});

/** One diagnostic per detail, on the line of its key (line 1 with the pointer when it can't be followed). */
function diagnosticsFor(state) {
  return state.field(problemsField).map((d) => {
    const at = locatePointer(state, d.path);
    const message = at.complete ? d.message : `${d.path || '(spec)'}: ${d.message}`;
    return { from: at.from, to: at.to, severity: 'error', message, source: d.path || undefined };
  });
}

// Clear the markers in the same transaction as the edit (the lint source
// would also drop them, but only after its delay).
const clearOnEdit = EditorState.transactionExtender.of((tr) => (tr.docChanged && tr.startState.field(problemsField).length
  ? setDiagnostics(tr.startState, []) : null));

const problemsChanged = (update) => update.startState.field(problemsField) !== update.state.field(problemsField);

const LANGS = { yaml: () => yaml(), json: () => json() };

/**
 * Create the editor. opts: {id, label, describedBy, onInput()}.
 */
export function codeEditor({ id, label, describedBy, onInput } = {}) {
  const extensions = (lang) => [
    lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(), drawSelection(),
    indentOnInput(), bracketMatching(), highlightActiveLine(), indentUnit.of('  '), EditorState.tabSize.of(2),
    syntaxHighlighting(highlighter), LANGS[lang](),
    problemsField, clearOnEdit, linter((view) => diagnosticsFor(view.state), { delay: 150, needsRefresh: problemsChanged }), lintGutter(),
    keymap.of([...defaultKeymap, ...historyKeymap]), theme,
    EditorView.contentAttributes.of({ ...(id ? { id } : {}), 'aria-label': label || 'Source', ...(describedBy ? { 'aria-describedby': describedBy } : {}) }),
    EditorView.updateListener.of((u) => { if (u.docChanged) onInput?.(); }), // load() replaces the state: no update
  ];
  const el = document.createElement('div');
  el.className = 'code-editor';
  const view = new EditorView({ parent: el, state: EditorState.create({ doc: '', extensions: extensions('yaml') }) });
  let lang = 'yaml';

  const api = {
    el, view, kind: 'codemirror',
    get input() { return view.contentDOM; },
    get value() { return view.state.doc.toString(); },
    set value(text) { api.load(text, lang); },
    get language() { return lang; },
    /** Replace the text (and the language): a fresh state, so no undo into the other format and no markers. */
    load(text, nextLang = lang) {
      lang = nextLang;
      view.setState(EditorState.create({ doc: String(text ?? ''), extensions: extensions(lang) }));
    },
    /** The details still shown (none once the text changed). */
    get problems() { return view.state.field(problemsField); },
    /** Show a 422's details as markers; returns [{...detail, line}] (line 0 when the key wasn't found). */
    showProblems(details = []) {
      view.dispatch({ effects: setProblems.of(details) });
      if (details.length) forceLinting(view);
      else view.dispatch(setDiagnostics(view.state, []));
      return details.map((d) => {
        const at = locatePointer(view.state, d.path);
        return { ...d, line: at.depth ? view.state.doc.lineAt(at.from).number : 0 };
      });
    },
    selectLine(n) {
      const line = view.state.doc.line(Math.min(Math.max(1, n), view.state.doc.lines));
      view.dispatch({ selection: { anchor: line.from, head: line.to }, scrollIntoView: true });
      view.focus();
    },
    focus() { view.focus(); },
  };
  // Textarea-like properties on the editable element (see the header).
  Object.defineProperties(view.contentDOM, {
    value: { configurable: true, get: () => api.value, set: (v) => { api.value = v; } },
    selectionStart: { configurable: true, get: () => view.state.selection.main.from },
    selectionEnd: { configurable: true, get: () => view.state.selection.main.to },
  });
  return api;
}
