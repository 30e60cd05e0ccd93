// package.json's contributions and the client's constants must agree, both ways.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { settingDefaults } from '../../client/src/config';
import { readSettings } from '../../client/src/config';
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

test('activation is limited to Python files and capsule.toml workspaces; the output grammar is wired', () => {
  assert.deepEqual(pkg.activationEvents, ['onLanguage:python', 'workspaceContains:**/capsule.toml']);
  assert.equal(pkg.contributes.grammars[0].language, OUTPUT_LANGUAGE);
  assert.ok(pkg.contributes.languages.some((l: { id: string }) => l.id === OUTPUT_LANGUAGE));
});
