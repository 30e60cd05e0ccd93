// package.json's contributions and the client's constants must agree, both ways.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { settingDefaults } from '../../client/src/config';
import { readSettings } from '../../client/src/config';
import { parseQueueUrl } from '../../runtime/src/queue/url';
import { Commands, OUTPUT_LANGUAGE, Views } from '../../client/src/ids';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

test('every command id is contributed, named capsule.<verb><Noun>, and every menu entry names one', () => {
  const contributed = new Set<string>(pkg.contributes.commands.map((c: { command: string }) => c.command));
  assert.deepEqual([...contributed].sort(), Object.values(Commands).sort());
  for (const id of contributed) assert.match(id, /^capsule\.[a-z]+[A-Z][A-Za-z]*$/);
  for (const [menu, entries] of Object.entries(pkg.contributes.menus as Record<string, { command: string }[]>)) {
    for (const e of entries) assert.ok(contributed.has(e.command), `${menu} names unknown command ${e.command}`);
  }
});

test('the view container and views use the ids the client registers', () => {
  assert.equal(pkg.contributes.viewsContainers.activitybar[0].id, Views.container);
  assert.deepEqual(pkg.contributes.views[Views.container].map((v: { id: string }) => v.id), [Views.runs, Views.tasks]);
  assert.ok(pkg.contributes.viewsWelcome.some((w: { view: string }) => w.view === Views.runs));
});

test('settings in package.json match the schema ids and defaults', () => {
  const props = pkg.contributes.configuration.properties as Record<string, { default: unknown }>;
  const declared = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.default]));
  assert.deepEqual(declared, settingDefaults());
  for (const id of Object.keys(declared)) assert.match(id, /^capsule\.[a-z]+\.[a-zA-Z]+$/);
});

test('a bad setting value falls back to its default and says which one', () => {
  const { settings, problems } = readSettings((id) => ({ 'capsule.run.maxConcurrent': 0, 'capsule.lens.enabled': false } as Record<string, unknown>)[id]);
  assert.equal(settings.run.maxConcurrent, 4);
  assert.equal(settings.lens.enabled, false);
  assert.equal(problems.length, 1);
  assert.match(problems[0], /capsule\.run\.maxConcurrent = 0 is invalid: expected an integer from 1 to 64; using 4/);
});

test('capsule.queue.url: empty by default; a redis URL is taken; a bad one is refused naming the setting and what is wrong, and no queue is used', () => {
  assert.equal(readSettings(() => undefined).settings.queue.url, '');
  const good = readSettings((id) => (id === 'capsule.queue.url' ? 'redis://:s3cret@10.0.0.5:6380/2' : undefined));
  assert.deepEqual(good.problems, []);
  assert.equal(good.settings.queue.url, 'redis://:s3cret@10.0.0.5:6380/2');
  const bad: [unknown, RegExp][] = [
    ['http://10.0.0.5:6379', /the scheme is "http", not redis/],
    ['redis://h:99999', /it is not a URL|the port/],
    ['redis://h:6379/16', /database 16 is past 15/],
    ['rediss://h:6379', /TLS \(rediss:\/\/\) is not supported yet/],
    ['10.0.0.5:6379', /scheme|not a URL/],
    [6379, /expected a text/],
  ];
  for (const [value, why] of bad) {
    const r = readSettings((id) => (id === 'capsule.queue.url' ? value : undefined));
    assert.equal(r.settings.queue.url, '', `${value} is not used`);
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0]!, /^Setting capsule\.queue\.url = .* is invalid: /);
    assert.match(r.problems[0]!, why);
    assert.match(r.problems[0]!, /expected redis:\/\/HOST:PORT\[\/DB\]|expected a text/);
    assert.match(r.problems[0]!, /; using ""\.$/);
    // The setting's check is the runtime's own: what it refuses, `capsule run --queue` refuses too.
    if (typeof value === 'string') assert.throws(() => parseQueueUrl(value));
  }
  // package.json's pattern agrees on the scheme (the Settings editor's own hint).
  const pattern = new RegExp(pkg.contributes.configuration.properties['capsule.queue.url'].pattern);
  assert.ok(pattern.test('') && pattern.test('redis://10.0.0.5:6379/0') && !pattern.test('http://x'));
});

test('activation is limited to Python files and capsule.toml workspaces; the output grammar is wired', () => {
  assert.deepEqual(pkg.activationEvents, ['onLanguage:python', 'workspaceContains:**/capsule.toml']);
  assert.equal(pkg.contributes.grammars[0].language, OUTPUT_LANGUAGE);
  assert.ok(pkg.contributes.languages.some((l: { id: string }) => l.id === OUTPUT_LANGUAGE));
});

test("capsule.queue.url is a machine setting: a cloned workspace's .vscode/settings.json cannot point runs (code, granted variables) at its own Redis", () => {
  assert.equal(pkg.contributes.configuration.properties['capsule.queue.url'].scope, 'machine');
});
