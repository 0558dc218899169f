// Pure UI logic (no browser, no server): environment ordering, transition
// guardrails, the YAML emitter and the YAML registration wrapper; the run
// state dot, the logs line buffer and the form's run/autoDeploy round-trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderEnvs, transitionGuard } from '../js/views/delivery.js';
import { toYaml, wrapSpecYaml } from '../js/yaml.js';
import { parseVars, envFormValues, envFromForm, RUN_MODES } from '../js/views/envfields.js';
import { runDot, healthTitle, canOpen, runControl, hasLogs, wantsPolling } from '../js/views/runstate.js';
import { LineBuffer, MAX_LINES, isRepeat } from '../js/views/logsdrawer.js';

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

test('the run state dot: class and label per state, hidden when nothing runs', () => {
  assert.deepEqual(runDot({ state: 'running' }), { state: 'running', cls: 'run-dot run-running', label: 'Running' });
  assert.equal(runDot({ state: 'starting' }).label, 'Starting');
  assert.equal(runDot({ state: 'unhealthy' }).cls, 'run-dot run-unhealthy');
  assert.equal(runDot({ state: 'stopped' }).label, 'Stopped');
  assert.equal(runDot({ mode: 'none', state: 'none' }), null);
  assert.equal(runDot(null), null);
  const run = { mode: 'docker', state: 'unhealthy', url: 'http://127.0.0.1:41000', container_id: 'c1', release: 2,
    health: { ok: false, status: 503, error: 'Service Unavailable', checked_at: '2026-12-01T16:46:41.040Z' } };
  assert.match(healthTitle(run), /^Unhealthy · health failing \(HTTP 503\) · Service Unavailable · checked .+ · release #2$/);
  assert.match(healthTitle({ ...run, state: 'running', health: { ok: true, status: 200, error: '' } }), /^Running · health ok \(HTTP 200\) · release #2$/);
  assert.equal(healthTitle({ state: 'none' }), '');
  assert.equal(canOpen(run), true);
  assert.equal(canOpen({ ...run, state: 'stopped' }), false);
  assert.equal(canOpen({ ...run, state: 'starting' }), false);
  assert.equal(canOpen({ ...run, url: null }), false);
  assert.equal(runControl(run), 'stop');
  assert.equal(runControl({ ...run, state: 'stopped' }), 'start');
  assert.equal(runControl({ ...run, container_id: null }), '', 'no container: nothing to stop or start');
  assert.equal(runControl({ ...run, mode: 'none' }), '', 'run: none offers no controls');
  assert.equal(hasLogs(run), true);
  assert.equal(hasLogs({ mode: 'none', state: 'none', container_id: null }), false);
  assert.equal(wantsPolling({ dev: { mode: 'docker' }, prod: { mode: 'none' } }), true);
  assert.equal(wantsPolling({ dev: { mode: 'none' }, prod: null }), false);
});

test('the logs buffer keeps the last 2000 lines and says how many fell off', () => {
  assert.equal(MAX_LINES, 2000);
  const buf = new LineBuffer();
  assert.equal(buf.last, undefined);
  assert.equal(buf.push(Array.from({ length: 1500 }, (_, i) => `l${i}`)), 0);
  assert.equal(buf.push(Array.from({ length: 1000 }, (_, i) => `m${i}`)), 500);
  assert.equal(buf.lines.length, 2000);
  assert.equal(buf.lines[0], 'l500');
  assert.equal(buf.last, 'm999');
  assert.equal(buf.total, 2500);
  const small = new LineBuffer(3);
  assert.equal(small.push(['a', 'b', 'c', 'd', 'e']), 2);
  assert.deepEqual(small.lines, ['c', 'd', 'e']);
  assert.equal(isRepeat(true, 'started on 1', 'started on 1'), true, 'the follow tail repeats the last line shown');
  assert.equal(isRepeat(false, 'x', 'x'), false, 'a later identical line is a new line');
  assert.equal(isRepeat(true, undefined, 'x'), false);
});

test('the form round-trips run and autoDeploy: run omitted when default, autoDeploy when false, never on prod', () => {
  assert.deepEqual(RUN_MODES.map(([v]) => v), ['', 'docker', 'none']);
  const dev = { vars: { A: '1' }, run: 'docker', autoDeploy: true };
  const v = envFormValues(dev);
  assert.deepEqual(v, { replicas: '1', vars: 'A=1', run: 'docker', autoDeploy: true });
  assert.deepEqual(envFromForm('dev', dev, v), dev, 'unchanged values give the same environment');
  assert.deepEqual(envFromForm('dev', dev, { ...v, run: '', autoDeploy: false }), { vars: { A: '1' } });
  assert.deepEqual(envFromForm('qa', {}, { replicas: '2', vars: '', run: 'none', autoDeploy: true }), { vars: {}, replicas: 2, run: 'none', autoDeploy: true });
  assert.deepEqual(envFormValues({}), { replicas: '1', vars: '', run: '', autoDeploy: false });
  assert.deepEqual(envFromForm('prod', { vars: {} }, { replicas: '1', vars: '', run: '', autoDeploy: true }), { vars: {} }, 'no autoDeploy on prod from the form');
  assert.deepEqual(envFromForm('production', { vars: {}, autoDeploy: false }, envFormValues({ autoDeploy: false })), { vars: {} });
  assert.equal(envFromForm('prod', { autoDeploy: true }, envFormValues({})).autoDeploy, true, 'a YAML `true` on prod reaches the server, which says why not');
  assert.equal(envFormValues({ run: 'podman' }).run, 'podman', 'an unknown run value is kept, not silently dropped');
  assert.match(toYaml({ environments: { dev: envFromForm('dev', {}, { replicas: '1', vars: 'G=hi', run: 'docker', autoDeploy: true }) } }),
    /dev:\n {4}vars:\n {6}G: hi\n {4}run: docker\n {4}autoDeploy: true\n/);
});
