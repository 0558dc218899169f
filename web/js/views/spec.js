// Spec editor: a form for the common fields plus raw YAML / JSON modes.
// Submits POST /api/events/registration (JSON, or raw YAML with
// Content-Type: application/yaml) and shows 422 details inline at the field,
// or in YAML / JSON mode as markers on the key's line (codeeditor.js).
import { h, mount, $, $$ } from '../dom.js';
import { api } from '../api.js';
import { toYaml, wrapSpecYaml } from '../yaml.js';
import { orderEnvs, specEnvNames } from './delivery.js';
import { envFields } from './envfields.js';
import { textEditor } from './texteditor.js';

// The YAML / JSON pane is CodeMirror (web/vendor/ through the import map).
// If it can't load (a blocked import map, an engine too old for the vendored
// code), the pane falls back to a plain textarea instead of taking the whole
// UI down with a failed static import. window.__paasEditorReady tells which.
const codemirror = await import('./codeeditor.js').catch((e) => {
  console.warn('spec editor: CodeMirror did not load, using a plain textarea:', e);
  globalThis.__paasEditorError = String(e?.message || e);
  return null;
});
globalThis.__paasEditorReady = !!codemirror;
const sourceEditor = codemirror ? codemirror.codeEditor : textEditor;

const RUNTIMES = ['go_1.26', 'node_22', 'python_3.13', 'static'];
export const DEFAULT_SPEC = {
  apiVersion: 'platform.example.com/v2', kind: 'App', name: '', runtime: 'go_1.26',
  capabilities: ['http', 'metrics'],
  environments: { dev: { vars: { LOG_LEVEL: 'info' } }, staging: { vars: { LOG_LEVEL: 'info' } }, prod: { vars: { LOG_LEVEL: 'warn' } } },
  networkPolicies: { ingress: 'internal', egress: 'internal' },
};

const list = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);
const clone = (o) => JSON.parse(JSON.stringify(o));
/** A stored project's spec with its environments in the user's order (JS objects keep insertion order). */
const specOf = (project) => {
  const spec = clone(project.spec || {});
  if (spec.environments) spec.environments = Object.fromEntries(specEnvNames(project).map((n) => [n, spec.environments[n]]));
  return spec;
};

/** Fields of the form: JSON pointer under /spec, label, read from spec, write into spec. */
const FIELDS = [
  { path: '/spec/name', id: 'spec-name', label: 'Name', hint: 'Lowercase letters, digits and dashes; becomes the project id.',
    get: (s) => s.name || '', put: (s, v) => { s.name = v; } },
  { path: '/spec/runtime', id: 'spec-runtime', label: 'Runtime', list: 'runtime-options',
    get: (s) => s.runtime || '', put: (s, v) => { s.runtime = v; } },
  { path: '/spec/capabilities', id: 'spec-capabilities', label: 'Capabilities', checks: ['http', 'metrics', 'grpc', 'worker'],
    get: (s) => (s.capabilities || []).join(', '), put: (s, v) => { s.capabilities = list(v); } },
  { path: '/spec/environments', id: 'spec-environments', label: 'Environments', hint: 'In delivery order: dev first, prod last',
    get: (s) => orderEnvs(Object.keys(s.environments || {})).join(', '),
    put: (s, v) => { const old = s.environments || {}; s.environments = Object.fromEntries(list(v).map((n) => [n, old[n] || {}])); } },
  { path: '/spec/networkPolicies/ingress', id: 'spec-ingress', label: 'Ingress', options: ['internal', 'public', 'none'],
    get: (s) => s.networkPolicies?.ingress || 'internal', put: (s, v) => { s.networkPolicies = { ...(s.networkPolicies || {}), ingress: v }; } },
  { path: '/spec/networkPolicies/egress', id: 'spec-egress', label: 'Egress', options: ['internal', 'public', 'none'],
    get: (s) => s.networkPolicies?.egress || 'internal', put: (s, v) => { s.networkPolicies = { ...(s.networkPolicies || {}), egress: v }; } },
];

function checksEl(f, spec) {
  const on = new Set(list(f.get(spec)));
  return h('fieldset.field.checks', { 'data-path': f.path, id: f.id },
    h('legend.field-label', f.label),
    h('div.check-row', f.checks.map((c) => h('label.check', { class: on.has(c) ? 'on' : '' },
      h('input', { type: 'checkbox', value: c, checked: on.has(c) || null, onchange: (e) => e.target.parentElement.classList.toggle('on', e.target.checked) }), c))),
    h('div.field-errors', { 'aria-live': 'polite' }));
}

/** Read a field's value as a string (checkbox groups give a comma list). */
function valueOf(f, root) {
  const el = $(`#${f.id}`, root);
  if (f.checks) return $$('input:checked', el).map((i) => i.value).join(', ');
  return el.value.trim();
}

function setValue(f, root, spec) {
  const el = $(`#${f.id}`, root);
  if (f.checks) { const on = new Set(list(f.get(spec))); for (const i of $$('input', el)) { i.checked = on.has(i.value); i.parentElement.classList.toggle('on', i.checked); } } else el.value = f.get(spec);
}

function fieldEl(f, spec) {
  if (f.checks) return checksEl(f, spec);
  const input = f.options
    ? h('select', { id: f.id, name: f.id }, f.options.map((o) => h('option', { value: o, selected: o === f.get(spec) }, o)))
    : h('input', { id: f.id, name: f.id, type: 'text', value: f.get(spec), list: f.list || null, autocomplete: 'off', spellcheck: 'false' });
  return h('div.field', { 'data-path': f.path }, h('label', { for: f.id }, f.label), input,
    f.hint ? h('span.field-hint', f.hint) : null, h('div.field-errors', { 'aria-live': 'polite' }));
}

/**
 * Build the editor. opts: {project?: {id, spec}, onAccepted(op, action), onDelete?()}.
 * Returns the root element.
 */
export function specEditor({ project, onAccepted, onDelete }) {
  const isCreate = !project;
  let base = project?.spec ? specOf(project) : clone(DEFAULT_SPEC);
  let mode = 'form';
  const root = h('form.card.spec-editor', { novalidate: true, 'aria-label': isCreate ? 'New project spec' : 'Project spec' });
  const envs = envFields();
  const formPane = h('div.spec-form', FIELDS.map((f) => fieldEl(f, base)), envs.el,
    h('datalist', { id: 'runtime-options' }, RUNTIMES.map((r) => h('option', { value: r }))));
  let dirty = false; // the YAML / JSON text was edited since it was generated
  const editor = sourceEditor({ id: 'spec-text', label: 'Spec source', describedBy: 'spec-text-errors', onInput: () => { dirty = true; } });
  const textPane = h('div.spec-text', { hidden: true }, editor.el, h('ul.spec-text-errors#spec-text-errors', { 'aria-live': 'polite' }));
  const general = h('div.form-errors', { role: 'alert' });
  if (!isCreate) { // the name is the project's identity: fixed after creation
    const name = $('#spec-name', formPane);
    name.readOnly = true;
    name.parentElement.querySelector('.field-hint').textContent = 'Fixed after creation (it names the project id).';
  }
  const submit = h('button.btn.btn-primary#spec-submit', { type: 'submit' }, isCreate ? 'Create project' : 'Save changes');

  const readForm = () => { const s = clone(base); for (const f of FIELDS) f.put(s, valueOf(f, root)); envs.read(s); return s; };
  const fillForm = (s) => { for (const f of FIELDS) setValue(f, root, s); envs.render(s, { refresh: true }); };
  envs.render(base);
  $('#spec-environments', formPane).addEventListener('change', () => { base = readForm(); envs.render(base); });

  function setMode(next) {
    if (next === mode) return;
    // The 422 markers follow to the other text format while the spec they
    // name is what that format will show (the UI never parses YAML, so
    // edited YAML is not carried into JSON).
    let carry = mode === 'yaml' && !dirty ? editor.problems : [];
    if (mode === 'form') base = readForm();
    if (mode === 'json') { try { base = JSON.parse(editor.value); carry = editor.problems; } catch { /* keep last good */ } }
    if (next === 'form' && mode === 'yaml' && dirty) {
      general.replaceChildren(h('p.note', 'YAML edits stay in the YAML tab; the form shows the last structured spec.'));
    }
    mode = next;
    for (const b of $$('[role=tab]', root)) b.setAttribute('aria-selected', String(b.dataset.mode === mode));
    formPane.hidden = mode !== 'form';
    textPane.hidden = mode === 'form';
    if (mode === 'form') fillForm(base);
    else {
      editor.load(mode === 'json' ? `${JSON.stringify(base, null, 2)}\n` : toYaml(base), mode);
      dirty = false;
      if (carry.length) showTextProblems(carry);
    }
  }

  /** 422 details in YAML / JSON mode: markers in the editor plus a list under it ("Line N" selects the line). */
  function showTextProblems(details, fallback = []) {
    const placed = editor.showProblems(details);
    $('#spec-text-errors', root).replaceChildren(...(placed.length ? placed : fallback).map((d) => h('li.field-error', { 'data-path': d.path || '' },
      d.line ? h('button.linkish', { type: 'button', onclick: () => editor.selectLine(d.line) }, `Line ${d.line}`) : null,
      h('code', d.path || '(spec)'), h('span', d.message))));
  }

  function clearErrors() {
    general.replaceChildren();
    for (const el of $$('.field', root)) { el.classList.remove('has-error'); $('.field-errors', el).replaceChildren(); }
    for (const el of $$('[aria-invalid]', root)) el.removeAttribute('aria-invalid');
    $('#spec-text-errors', root).replaceChildren();
    editor.showProblems([]);
  }

  function showErrors(err) {
    clearErrors();
    const details = err.details.length ? err.details : [{ path: '', message: err.message }];
    const banner = h('div.error-banner', h('strong', err.status === 422 ? 'The spec is not valid' : `Request failed (${err.status || 'network'})`),
      h('span.msg', ` ${err.message}`), h('code.err-code', err.code));
    general.append(banner);
    let placed = 0;
    if (mode !== 'form') showTextProblems(err.details, details);
    for (const d of details) {
      if (mode === 'form') {
        const field = $$('.field', root).filter((el) => d.path && (d.path === el.dataset.path || String(d.path).startsWith(`${el.dataset.path}/`)))
          .sort((a, b) => b.dataset.path.length - a.dataset.path.length)[0];
        if (field) {
          field.classList.add('has-error');
          for (const i of $$('input,select,textarea', field)) i.setAttribute('aria-invalid', 'true');
          $('.field-errors', field).append(h('div.field-error', h('span', d.message), h('code', d.path)));
          placed += 1;
          continue;
        }
      } else continue; // shown by showTextProblems
      if (d.path || err.details.length) general.append(h('div.field-error', { 'data-path': d.path || '' }, h('code', d.path || '(spec)'), h('span', d.message)));
    }
    if (placed && placed === details.length) $('.msg', banner).textContent = ` Fix the highlighted field${placed > 1 ? 's' : ''}.`;
    const first = $('[aria-invalid=true]', root);
    if (first) first.focus();
  }

  async function send(action) {
    const header = { action, ...(project ? { project_id: project.id } : {}) };
    if (mode === 'yaml') return api.registerYaml(wrapSpecYaml(header, editor.value));
    let spec;
    if (mode === 'json') {
      try { spec = JSON.parse(editor.value); } catch (e) {
        throw Object.assign(new Error(`JSON syntax: ${e.message}`), { status: 400, code: 'invalid_json', details: [] });
      }
    } else spec = readForm();
    return api.registerJson({ ...header, spec });
  }

  root.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors();
    submit.disabled = true; submit.classList.add('busy');
    try {
      const res = await send(isCreate ? 'create' : 'update');
      if (res?.accepted === false) general.append(h('div.info-banner', res.reason || 'Request was ignored'));
      else onAccepted?.(res?.op, isCreate ? 'create' : 'update');
    } catch (err) {
      showErrors(err);
    } finally {
      submit.disabled = false; submit.classList.remove('busy');
    }
  });

  const modeTabs = h('div.segmented', { role: 'tablist', 'aria-label': 'Editor mode' },
    [['form', 'Form'], ['yaml', 'YAML'], ['json', 'JSON']].map(([m, label]) => h('button', {
      type: 'button', role: 'tab', 'data-mode': m, 'aria-selected': String(m === mode), onclick: () => setMode(m),
    }, label)));
  mount(root,
    h('div.card-head', h('div', h('h2', isCreate ? 'New project' : 'Spec'),
      h('div.sub', isCreate ? 'Describe the app; registration runs registrar → repoBootstrap → imageBuilder → manifestRenderer.'
        : 'Saving sends an update registration event.')), modeTabs),
    h('div.card-body', formPane, textPane, general),
    h('div.card-foot', onDelete ? h('button.btn.btn-danger#project-delete', { type: 'button', onclick: onDelete }, 'Delete project') : h('span'),
      h('div.foot-actions', submit)));
  return root;
}
