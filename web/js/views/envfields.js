// Per-environment fields of the spec form: replicas and vars for each
// environment the Environments field lists (issue 16: the form could not edit
// them; only YAML or JSON could). Each block carries data-path
// /spec/environments/<env>, so a 422 detail there is shown on that block.
import { h, mount, $ } from '../dom.js';

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

function block(name, env) {
  const id = `spec-env-${name}`;
  return h('fieldset.field.env-fields', { 'data-path': `/spec/environments/${name}`, 'data-env': name },
    h('legend.field-label', name),
    h('div.env-fields-row',
      h('label', { for: `${id}-replicas` }, 'Replicas'),
      h('input', { id: `${id}-replicas`, type: 'number', min: 1, max: 50, step: 1, value: String(env.replicas ?? 1) }),
      h('label', { for: `${id}-vars` }, 'Variables'),
      h('textarea', { id: `${id}-vars`, rows: 3, spellcheck: 'false', placeholder: 'KEY=value, one per line', value: varsText(env.vars) })),
    h('div.field-errors', { 'aria-live': 'polite' }));
}

function fill(blockEl, env) {
  const name = blockEl.dataset.env;
  $(`#spec-env-${name}-replicas`, blockEl).value = String(env.replicas ?? 1);
  $(`#spec-env-${name}-vars`, blockEl).value = varsText(env.vars);
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
        const n = replicas.value.trim() === '' ? NaN : Number(replicas.value);
        const next = { ...env, vars: parseVars($(`#spec-env-${name}-vars`, el).value) };
        if (Number.isNaN(n) || (n === 1 && env.replicas === undefined)) delete next.replicas; else next.replicas = n;
        spec.environments[name] = next;
      }
    },
  };
}
