// Per-environment fields of the spec form: replicas, vars, run (default /
// docker / none) and autoDeploy (not for prod/production) for each
// environment the Environments field lists (issue 16: the form could not edit
// them; only YAML or JSON could). Each block carries data-path
// /spec/environments/<env>, so a 422 detail there is shown on that block.
import { h, $ } from '../dom.js';
import { isProdEnv } from '../api.js';

const varsText = (vars) => Object.entries(vars || {}).map(([k, v]) => `${k}=${v}`).join('\n');

/** "KEY=value" lines -> {KEY: value}; blank lines are skipped, a line without "=" is a key with "". */
export function parseVars(text) {
  const out = {};
  for (const line of String(text).split('\n')) {
    if (!line.trim()) continue;
    const eq = line.indexOf('=');
    out[(eq < 0 ? line : line.slice(0, eq)).trim()] = eq < 0 ? '' : line.slice(eq + 1);
  }
  return out;
}

/** The `run` choices: '' is "default" (unset: the server decides). */
export const RUN_MODES = [['', 'default'], ['docker', 'docker'], ['none', 'none']];

/** What the form shows for an environment: all strings but autoDeploy. */
export function envFormValues(env = {}) {
  return { replicas: String(env.replicas ?? 1), vars: varsText(env.vars), run: typeof env.run === 'string' ? env.run : '', autoDeploy: env.autoDeploy === true };
}

/**
 * The environment with the form's values written in: replicas is left out
 * when 1 and unset before, run when default, autoDeploy when false (and it
 * is never set on prod/production: the form offers no checkbox there).
 */
export function envFromForm(name, env, f) {
  const next = { ...env, vars: parseVars(f.vars) };
  const n = String(f.replicas).trim() === '' ? NaN : Number(f.replicas);
  if (Number.isNaN(n) || (n === 1 && env.replicas === undefined)) delete next.replicas; else next.replicas = n;
  if (f.run) next.run = f.run; else delete next.run;
  if (isProdEnv(name)) { if (next.autoDeploy === false) delete next.autoDeploy; } // a YAML `true` stays: the server says why not
  else if (f.autoDeploy) next.autoDeploy = true; else delete next.autoDeploy;
  return next;
}

/** Options of the run select; an unknown value from YAML/JSON is kept so that it round-trips (and the server names it). */
const runOptions = (run) => [...RUN_MODES, ...(run && !RUN_MODES.some(([v]) => v === run) ? [[run, run]] : [])]
  .map(([v, label]) => h('option', { value: v, selected: v === run || null }, label));

function block(name, env) {
  const id = `spec-env-${name}`;
  const v = envFormValues(env);
  return h('fieldset.field.env-fields', { 'data-path': `/spec/environments/${name}`, 'data-env': name },
    h('legend.field-label', name),
    h('div.env-fields-row',
      h('label', { for: `${id}-replicas` }, 'Replicas'),
      h('input', { id: `${id}-replicas`, type: 'number', min: 1, max: 50, step: 1, value: v.replicas }),
      h('label', { for: `${id}-vars` }, 'Variables'),
      h('textarea', { id: `${id}-vars`, rows: 3, spellcheck: 'false', placeholder: 'KEY=value, one per line', value: v.vars }),
      h('label', { for: `${id}-run` }, 'Run'),
      h('select', { id: `${id}-run`, title: 'docker: each deploy also runs the app on the local Docker engine; default: docker for dev when images are built by a Docker engine' },
        runOptions(v.run)),
      isProdEnv(name) ? null : [h('label', { for: `${id}-autodeploy` }, 'Auto-deploy'),
        h('span.env-auto', h('input', { id: `${id}-autodeploy`, type: 'checkbox', checked: v.autoDeploy || null }),
          h('span.field-hint', 'deploy each CI build here'))]),
    h('div.field-errors', { 'aria-live': 'polite' }));
}

function fill(blockEl, env) {
  const name = blockEl.dataset.env;
  const v = envFormValues(env);
  $(`#spec-env-${name}-replicas`, blockEl).value = v.replicas;
  $(`#spec-env-${name}-vars`, blockEl).value = v.vars;
  const run = $(`#spec-env-${name}-run`, blockEl);
  run.replaceChildren(...runOptions(v.run));
  run.value = v.run;
  const auto = $(`#spec-env-${name}-autodeploy`, blockEl);
  if (auto) auto.checked = v.autoDeploy;
}

/** The blocks, in the order of spec.environments' keys (the order the user gave). */
export function envFields() {
  const el = h('div.env-fields-list#spec-env-fields');
  return {
    el,
    /**
     * Show one block per environment. Blocks of environments still listed are
     * kept as they are (a click that ends an edit of the list must not lose
     * its target); refresh: true also rewrites their values from spec.
     */
    render(spec, { refresh = false } = {}) {
      const kept = new Map([...el.children].map((b) => [b.dataset.env, b]));
      const wanted = Object.entries(spec.environments || {}).map(([name, env]) => {
        const b = kept.get(name) || block(name, env || {});
        if (refresh && kept.has(name)) fill(b, env || {});
        return b;
      });
      for (const b of kept.values()) if (!wanted.includes(b)) b.remove();
      if (wanted.some((b, i) => el.children[i] !== b)) el.append(...wanted); // reorder only when needed
    },
    /** Write the blocks' values into spec.environments (only for the environments it lists). */
    read(spec) {
      for (const [name, env] of Object.entries(spec.environments || {})) {
        const replicas = $(`#spec-env-${name}-replicas`, el);
        if (!replicas) continue;
        spec.environments[name] = envFromForm(name, env || {}, {
          replicas: replicas.value, vars: $(`#spec-env-${name}-vars`, el).value,
          run: $(`#spec-env-${name}-run`, el).value, autoDeploy: !!$(`#spec-env-${name}-autodeploy`, el)?.checked,
        });
      }
    },
  };
}
