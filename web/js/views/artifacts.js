// Artifact explorer: tree of the project's artifact files, text/YAML/JSON
// preview, download links, and a summary of the image builder's outputs
// (build/image.txt, build/publish-local-daemon.json) and BuildKit metadata.
import { h, mount, fmtBytes, fmtAgo, loading, emptyState, errorState } from '../dom.js';
import { api, artifactUrl } from '../api.js';

const HIGHLIGHT = {
  'build/buildkit-summary.txt': 'buildkit', 'build/buildkit-metadata.json': 'buildkit', 'build/buildkit.log': 'buildkit',
  'build/image.txt': 'image', 'build/publish-local-daemon.json': 'image',
};
const MAX_PREVIEW = 512 * 1024;
const TEXTY = /\.(ya?ml|json|txt|log|md|sh|toml|ini|conf|cfg|env|dockerfile|go|js|ts|py|html|css|xml|diff|patch)$|(^|\/)(Dockerfile|Makefile|README|LICENSE|\.gitignore)$|\/hooks\/[^/]+$/i;

function buildTree(files) {
  const root = { name: '', path: '', dirs: new Map(), files: [] };
  for (const f of files) {
    const parts = f.path.split('/').filter(Boolean);
    let node = root;
    const last = f.dir ? parts.length : parts.length - 1;
    for (let i = 0; i < last; i++) {
      if (!node.dirs.has(parts[i])) node.dirs.set(parts[i], { name: parts[i], path: parts.slice(0, i + 1).join('/'), dirs: new Map(), files: [] });
      node = node.dirs.get(parts[i]);
    }
    if (!f.dir) node.files.push({ ...f, name: parts[parts.length - 1] });
  }
  return root;
}

export function renderArtifacts(container, { project }) {
  const pid = project.id;
  const st = { files: null, error: null, open: new Set(['build', 'registration']), selected: null };
  const treeEl = h('div.tree-wrap');
  const previewEl = h('section.card.preview', { 'aria-label': 'Artifact preview' });
  const summaryEl = h('div.build-summary');
  mount(container, summaryEl, h('div.split.artifacts-split',
    h('section.card.tree-card', h('div.card-head', h('h2', 'Artifacts'),
      h('button.btn.btn-sm.btn-ghost#artifacts-refresh', { type: 'button', onclick: () => load() }, 'Reload')), treeEl),
    previewEl));
  mount(previewEl, emptyState('Select a file', 'YAML, JSON and text files preview here; everything can be downloaded.'));

  function fileRow(f) {
    const tag = HIGHLIGHT[f.path];
    return h('li', h('button.tree-file', {
      type: 'button', 'data-path': f.path, 'aria-current': st.selected === f.path ? 'true' : null, class: tag ? 'hl' : '',
      title: `${f.path} · ${fmtBytes(f.size)}`, onclick: () => preview(f),
    }, h('span.fname', f.name), tag ? h('span.tag', tag) : null, h('span.fsize', fmtBytes(f.size))));
  }

  function dirRow(d) {
    const isOpen = st.open.has(d.path);
    return h('li', h('button.tree-dir', { type: 'button', 'aria-expanded': String(isOpen), 'data-path': d.path,
      onclick: () => { if (isOpen) st.open.delete(d.path); else st.open.add(d.path); renderTree(); } },
    h('span.caret', { 'aria-hidden': 'true' }, isOpen ? '▾' : '▸'), d.name),
    isOpen ? nodeList(d) : null);
  }

  function nodeList(node) {
    const dirs = [...node.dirs.values()].sort((a, b) => a.name.localeCompare(b.name));
    const files = node.files.sort((a, b) => a.name.localeCompare(b.name));
    return h('ul.tree', dirs.map(dirRow), files.map(fileRow));
  }

  function renderTree() {
    if (st.error) return mount(treeEl, errorState(st.error, load));
    if (!st.files) return mount(treeEl, loading('Loading artifacts…'));
    if (!st.files.length) return mount(treeEl, emptyState('No artifacts yet', 'They appear once the registration pipeline has run.'));
    mount(treeEl, h('nav.tree-root', { 'aria-label': 'Artifact files' }, nodeList(buildTree(st.files))));
  }

  async function preview(f) {
    st.selected = f.path;
    renderTree();
    const url = artifactUrl(pid, f.path);
    const head = h('div.card-head', h('div', h('h2.mono#preview-path', f.path), h('div.sub', `${fmtBytes(f.size)} · modified ${fmtAgo(f.mtime)}`)),
      h('a.btn.btn-sm#preview-download', { href: url, download: f.name }, 'Download'));
    const isText = TEXTY.test(f.path) || f.size === 0;
    if (!isText || f.size > MAX_PREVIEW) {
      mount(previewEl, head, h('div.card-body', emptyState(isText ? 'File too large to preview' : 'No preview for this file type', 'Use Download to open it.')));
      return;
    }
    mount(previewEl, head, h('div.card-body', loading('Loading preview…')));
    try {
      let text = await api.artifactText(pid, f.path);
      if (/\.json$/i.test(f.path)) { try { text = JSON.stringify(JSON.parse(text), null, 2); } catch { /* show as is */ } }
      if (st.selected !== f.path) return;
      mount(previewEl, head, h('pre.code#preview-content', { tabindex: '0', 'aria-label': `Contents of ${f.path}` }, text || h('span.faint', '(empty file)')));
    } catch (err) {
      mount(previewEl, head, h('div.card-body', errorState(err, () => preview(f))));
    }
  }

  async function renderSummary() {
    const have = new Set((st.files || []).map((f) => f.path));
    const read = async (p) => (have.has(p) ? api.artifactText(pid, p).catch(() => null) : null);
    const [imageTxt, publish] = await Promise.all([read('build/image.txt'), read('build/publish-local-daemon.json')]);
    let meta = {};
    try { meta = publish ? JSON.parse(publish) : {}; } catch { meta = {}; }
    const buildkit = have.has('build/buildkit-summary.txt') || have.has('build/buildkit-metadata.json');
    if (!imageTxt && !publish && !buildkit) { mount(summaryEl); return; }
    const pick = (...keys) => keys.map((k) => meta[k]).find((v) => v !== undefined && v !== null && v !== '');
    const mode = pick('effective_mode', 'builder_mode', 'effective', 'mode');
    const requested = pick('requested_mode', 'requested');
    const cells = [
      ['Image', pick('image', 'image_ref', 'name') || imageTxt?.trim()],
      ['Digest', pick('digest', 'image_digest', 'id')],
      ['Builder', mode ? `${mode}${requested && requested !== mode ? ` (requested ${requested})` : ''}` : null],
    ].filter(([, v]) => v);
    mount(summaryEl, h('section.card.build-card#build-outputs', { 'aria-label': 'Image builder outputs' },
      h('div.card-head', h('h2', 'imageBuilder outputs'),
        h('span.badge', { class: buildkit ? 'tone-ok' : 'tone-mute', id: 'buildkit-signal' }, buildkit ? 'BuildKit metadata present' : 'no BuildKit metadata (artifact mode)')),
      h('dl.kv', cells.flatMap(([k, v]) => [h('dt', k), h('dd', h('code', String(v)))]))));
  }

  async function load() {
    st.error = null; st.files = null; renderTree();
    try { st.files = (await api.artifacts(pid))?.files || []; } catch (err) { st.error = err; }
    renderTree();
    renderSummary();
  }

  load();
  return { reload: load };
}
