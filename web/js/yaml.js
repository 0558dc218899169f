// Minimal YAML *emitter* for plain JSON data (objects, arrays, scalars), used
// to show a spec in the YAML editor. Parsing YAML is left to the server; the UI
// never parses YAML. Strings that are not obviously plain are emitted as
// double-quoted JSON strings, which are valid YAML.

const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i;
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_ ./@+-]*$/;

function scalar(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = String(v);
  if (PLAIN.test(s) && !RESERVED.test(s) && !/\s$/.test(s) && !s.includes(': ') && !s.includes(' #')) return s;
  return JSON.stringify(s);
}

const isObj = (v) => v && typeof v === 'object' && !Array.isArray(v);
const keyOf = (k) => (PLAIN.test(k) && !RESERVED.test(k) ? k : JSON.stringify(k));

function emit(v, indent, lines) {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    for (const item of v) {
      if (isObj(item) && Object.keys(item).length) {
        const sub = [];
        emit(item, indent + 2, sub);
        lines.push(`${pad}- ${sub[0].trimStart()}`, ...sub.slice(1));
      } else if (Array.isArray(item) && item.length) {
        lines.push(`${pad}-`);
        emit(item, indent + 2, lines);
      } else lines.push(`${pad}- ${inline(item)}`);
    }
    return;
  }
  for (const [k, val] of Object.entries(v)) {
    if ((isObj(val) && Object.keys(val).length) || (Array.isArray(val) && val.length)) {
      lines.push(`${pad}${keyOf(k)}:`);
      emit(val, indent + 2, lines);
    } else lines.push(`${pad}${keyOf(k)}: ${inline(val)}`);
  }
}

function inline(v) {
  if (Array.isArray(v)) return '[]';
  if (isObj(v)) return '{}';
  return scalar(v);
}

export function toYaml(value) {
  if (!isObj(value) && !Array.isArray(value)) return `${scalar(value)}\n`;
  const lines = [];
  emit(value, 0, lines);
  return `${lines.join('\n')}\n`;
}

/** Nest a user's YAML spec document under `spec:` by indenting it (text only, no parsing). */
export function wrapSpecYaml(header, specText) {
  const body = specText.replace(/^\uFEFF/, '').replace(/^---[^\n]*\n/, '').replace(/\n\.\.\.\s*$/, '\n');
  const indented = body.split('\n').map((l) => (l.length ? `  ${l}` : l)).join('\n');
  return `${toYaml(header)}spec:\n${indented}${indented.endsWith('\n') ? '' : '\n'}`;
}
