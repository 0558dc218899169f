#!/usr/bin/env bash
# Vendors CodeMirror 6 (and the packages it imports) into web/vendor/ for the
# spec editor (web/js/views/codeeditor.js). No bundler and no CDN: each
# package's ESM entry file is copied as it is published to the npm registry,
# beside its LICENSE, and the browser resolves the bare specifiers through the
# import map written into web/index.html (and web/vendor/importmap.json).
#
#   scripts/vendor-web.sh          # (re)build web/vendor/ from the pins below
#
# Idempotent: the same pins give the same tree, byte for byte. To upgrade,
# change a pin, run this, then run the web editor tests and
# tests/integration/ui/tst_editorwebengine.cpp (Qt 6.4's WebEngine is
# Chromium 102: the vendored code must parse and run there).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/web/vendor"
INDEX="$ROOT/web/index.html"

# Every package the editor loads, pinned exactly (transitive ones too, so
# npm resolves nothing by range). @codemirror/autocomplete is a declared
# dependency of lang-yaml but its dist never imports it: installed, not copied.
PACKAGES=(
  @codemirror/state@6.7.6
  @codemirror/view@6.43.15
  @codemirror/language@6.13.1
  @codemirror/commands@6.11.1
  @codemirror/lint@6.9.8
  @codemirror/lang-json@6.0.2
  @codemirror/lang-yaml@6.1.3
  @codemirror/streamparser@6.0.0
  @codemirror/autocomplete@6.20.4
  @lezer/common@1.5.5
  @lezer/highlight@1.2.5
  @lezer/lr@1.4.12
  @lezer/json@1.0.3
  @lezer/yaml@1.0.4
  @marijn/find-cluster-break@1.0.4
  style-mod@4.1.5
  w3c-keyname@2.2.8
  crelt@1.0.7
)
# The packages copied into web/vendor/ (the ones the editor's modules import).
SKIP=(@codemirror/autocomplete)

command -v npm >/dev/null || { echo "vendor-web.sh: npm is required" >&2; exit 1; }
TMP="$(mktemp -d "${TMPDIR:-/tmp}/paas-vendor-web.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

echo '{"private": true}' >"$TMP/package.json"
npm install --no-save --no-package-lock --ignore-scripts --no-audit --no-fund --loglevel=error \
  --prefix "$TMP" "${PACKAGES[@]}"

rm -rf "$VENDOR"
mkdir -p "$VENDOR"

# Copy each package's ESM entry + LICENSE, check that every import names a
# vendored package, write importmap.json + README.md and the import map in
# index.html (between its <script type="importmap"> tags).
node --input-type=module - "$TMP/node_modules" "$VENDOR" "$INDEX" "${SKIP[*]}" "${PACKAGES[@]}" <<'EOF'
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const [modules, vendor, indexHtml, skipList, ...pins] = process.argv.slice(2);
const skip = new Set(skipList.split(' ').filter(Boolean));
const pkgs = pins.map((p) => { const at = p.lastIndexOf('@'); return { name: p.slice(0, at), version: p.slice(at + 1) }; })
  .filter((p) => !skip.has(p.name)).sort((a, b) => a.name.localeCompare(b.name));
const names = new Set(pkgs.map((p) => p.name));

// Nothing may be installed twice (a nested copy would mean a pin misses a range).
const nested = [];
const walk = (dir) => { for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
  if (!e.isDirectory()) continue;
  const p = path.join(dir, e.name);
  if (e.name === 'node_modules' && dir !== modules) nested.push(p);
  walk(p);
} };
walk(modules);
if (nested.length) throw new Error(`nested installs (a pin does not satisfy a dependency range): ${nested.join(', ')}`);

/** The ESM entry file of a package: exports["."] (import condition), else module. */
function entryOf(meta) {
  let e = meta.exports;
  if (e && typeof e === 'object' && '.' in e) e = e['.'];
  if (e && typeof e === 'object') e = e.import ?? e.default;
  if (e && typeof e === 'object') e = e.default;
  if (typeof e !== 'string') e = meta.module;
  if (typeof e !== 'string') throw new Error(`${meta.name}: no ESM entry`);
  return e;
}

const rows = [];
const imports = {};
for (const { name, version } of pkgs) {
  const dir = path.join(modules, name);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  if (meta.version !== version) throw new Error(`${name}: installed ${meta.version}, pinned ${version}`);
  const src = fs.readFileSync(path.join(dir, entryOf(meta)), 'utf8');
  // Every static or dynamic import must be a vendored package (one file each).
  // (Declarations start a line in these dist files; doc comments are indented.)
  for (const m of src.matchAll(/^(?:import\s*(?:[\w$*{},\s]+?\sfrom\s*)?|export\s*(?:\*(?:\s*as\s+[\w$]+)?|\{[^}]*\})\s*from\s*)['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
    const spec = m[1] || m[2];
    if (!names.has(spec)) throw new Error(`${name} imports ${spec}, which is not vendored`);
  }
  const licence = fs.readdirSync(dir).find((f) => /^(LICEN[CS]E|COPYING)(\.(md|txt))?$/i.test(f));
  if (!licence) throw new Error(`${name}: no LICENSE file`);
  const out = path.join(vendor, name);
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'index.js'), src);
  fs.copyFileSync(path.join(dir, licence), path.join(out, 'LICENSE'));
  imports[name] = `./vendor/${name}/index.js`;
  rows.push(`| ${name} | ${version} | ${meta.license} | ${entryOf(meta).replace(/^\.\//, '')} | ${fs.statSync(path.join(out, 'index.js')).size} |`);
}

const map = { imports };
fs.writeFileSync(path.join(vendor, 'importmap.json'), `${JSON.stringify(map, null, 2)}\n`);
const total = pkgs.reduce((n, p) => n + fs.statSync(path.join(vendor, p.name, 'index.js')).size, 0);
fs.writeFileSync(path.join(vendor, 'README.md'), `# web/vendor

Third-party ES modules for the spec editor (web/js/views/codeeditor.js),
copied unmodified from the npm registry by \`scripts/vendor-web.sh\` (do not
edit by hand: change a pin there and run it again). Each folder holds the
package's ESM entry file as \`index.js\` and its licence as \`LICENSE\`.
The browser resolves the bare specifiers with the import map in
\`web/index.html\` (the same map as \`importmap.json\`).

| package | version | licence | copied from | bytes |
| --- | --- | --- | --- | --- |
${rows.join('\n')}

Total: ${total} bytes of JavaScript.
`);

// The inline import map in index.html (before the module script).
const html = fs.readFileSync(indexHtml, 'utf8');
const inline = `\n${JSON.stringify(map, null, 2).split('\n').map((l) => `  ${l}`).join('\n')}\n  `;
const re = /(<script type="importmap">)[\s\S]*?(<\/script>)/;
if (!re.test(html)) throw new Error('web/index.html has no <script type="importmap"> block');
const next = html.replace(re, `$1${inline}$2`);
if (next !== html) fs.writeFileSync(indexHtml, next);
const hash = crypto.createHash('sha256').update(inline).digest('base64');
console.log(`vendored ${pkgs.length} packages, ${total} bytes; import map CSP hash: 'sha256-${hash}'`);
EOF
