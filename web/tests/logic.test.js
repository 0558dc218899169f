// Pure UI logic (no browser, no server): environment ordering, transition
// guardrails, the YAML emitter and the YAML registration wrapper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderEnvs, transitionGuard } from '../js/views/delivery.js';
import { toYaml, wrapSpecYaml } from '../js/yaml.js';
import { parseVars } from '../js/views/envfields.js';

test('environments are ordered dev first, prod/production last, others in spec order', () => {
  assert.deepEqual(orderEnvs(['prod', 'qa', 'dev', 'staging']), ['dev', 'qa', 'staging', 'prod']);
  assert.deepEqual(orderEnvs(['production', 'dev', 'dev']), ['dev', 'production']);
  assert.deepEqual(orderEnvs(['uat']), ['uat']);
});

test('the form reads environment vars as KEY=value lines', () => {
  assert.deepEqual(parseVars('A=1\n\n  \nB = two=2\nFLAG'), { A: '1', B: ' two=2', FLAG: '' });
  assert.deepEqual(parseVars(''), {});
});

test('transition guardrails explain why an action is refused', () => {
  const rel = { dev: { number: 1 }, staging: null };
  assert.equal(transitionGuard('dev', 'dev', rel), 'Source and target are the same environment');
  assert.equal(transitionGuard('staging', 'prod', rel), 'Nothing deployed in staging yet');
  assert.equal(transitionGuard('dev', 'staging', rel), '');
  assert.match(transitionGuard('', 'prod', rel), /Choose/);
});

test('toYaml quotes ambiguous scalars and nests objects and lists', () => {
  const y = toYaml({ name: 'a', runtime: 'go_1.26', num: '1.5', flag: 'yes', empty: {}, list: ['http'], env: { dev: { vars: { A: 'x: y' } } } });
  assert.equal(y, [
    'name: a', 'runtime: go_1.26', 'num: "1.5"', 'flag: "yes"', 'empty: {}', 'list:', '  - http',
    'env:', '  dev:', '    vars:', '      A: "x: y"', ''].join('\n'));
});

test('wrapSpecYaml nests the user document under spec', () => {
  const out = wrapSpecYaml({ action: 'update', project_id: 'p1' }, '---\nname: demo\nenvironments:\n  dev: {}\n');
  assert.equal(out, 'action: update\nproject_id: p1\nspec:\n  name: demo\n  environments:\n    dev: {}\n');
});
