// The in-host suite: runs inside the extension host of a real VS Code (code-server via
// test/e2e/inhost.e2e.ts, or Electron via test/e2e/run-electron.mjs) and drives the
// extension through the vscode API. `run()` rejects when a test failed.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CapsuleApi } from '../../../client/src/extension';
import type { RunInfo } from '../../../client/src/runs/model';
import { join } from 'node:path';
import { poll } from '../../poll';
import { redisMissing, startRedis, startWorker } from '../../queue/harness';

const EXTENSION_ID = 'capsule-dev.capsule-vscode';
/** Lenses come unresolved (VS Code resolves the ones on screen): the tests ask for this many resolved. */
const RESOLVE = 1000;

function workspaceFile(rel: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite needs the e2e workspace open');
  return vscode.Uri.joinPath(folder.uri, rel);
}

async function api(): Promise<CapsuleApi> {
  const ext = vscode.extensions.getExtension<CapsuleApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not loaded`);
  return ext.isActive ? ext.exports : ext.activate();
}

async function runLens(rel: string): Promise<{ lens: vscode.CodeLens; uri: vscode.Uri }> {
  const uri = workspaceFile(rel);
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  const lens = await poll(`a Run task lens in ${rel}`, async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, RESOLVE);
    return lenses?.find((l) => l.command?.title.includes('Run task'));
  });
  return { lens, uri };
}

async function runToEnd(rel: string): Promise<RunInfo> {
  const { services } = await api();
  const { lens } = await runLens(rel);
  const id = await vscode.commands.executeCommand<string | undefined>(lens.command!.command, ...(lens.command!.arguments ?? []));
  assert.ok(id, `${rel}: the run did not start`);
  return poll(`${rel} to finish`, () => { const r = services.store.get(id); return r && ['completed', 'failed', 'timed_out', 'interrupted'].includes(r.state) ? r : undefined; }, 90_000);
}

const tests: [string, () => Promise<void>][] = [
  ['the extension activates fast and registers every command', async () => {
    const a = await api();
    await poll('the language server', () => a.services.ctx.isRunning);
    console.log(`capsule e2e: activation took ${a.activationMs.toFixed(1)} ms; the language server was ready ${a.services.ctx.serverReadyMs?.toFixed(0)} ms after its start`);
    assert.ok(a.activationMs < 2000, `activation took ${a.activationMs} ms`);
    const all = new Set(await vscode.commands.getCommands(true));
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string }[] } };
    for (const { command } of pkg.contributes.commands) assert.ok(all.has(command), `${command} is not registered`);
  }],
  ['1. examples/hello.py gets a Run task lens that carries a runnable', async () => {
    const { lens } = await runLens('examples/hello.py');
    assert.equal(lens.command!.command, 'capsule.runTask');
    assert.equal((lens.command!.arguments![0] as { taskName: string }).taskName, 'main');
  }],
  ['the lens setting hides and shows the lenses; a server restart keeps them working', async () => {
    const uri = workspaceFile('examples/hello.py');
    await runLens('examples/hello.py');
    const config = vscode.workspace.getConfiguration('capsule');
    await config.update('lens.enabled', false, vscode.ConfigurationTarget.Global);
    try {
      await poll('the lenses to go', async () => {
        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, RESOLVE);
        return !lenses?.some((l) => l.command?.command === 'capsule.runTask');
      });
    } finally {
      await config.update('lens.enabled', undefined, vscode.ConfigurationTarget.Global);
    }
    await runLens('examples/hello.py');
    const { services } = await api();
    await Promise.all([vscode.commands.executeCommand('capsule.restartServer'), vscode.commands.executeCommand('capsule.restartServer')]);
    assert.ok(services.ctx.isRunning, 'the server is back after two restarts at once');
    await runLens('examples/hello.py');
  }],
  ['a crashed language server comes back by itself, with its lenses', async () => {
    const { services } = await api();
    const pid = await poll('the server pid', () => services.ctx.serverPid);
    process.kill(pid, 'SIGKILL');
    await poll('the crash to be seen', () => services.ctx.serverPid !== pid);
    await poll('the server to be back', () => services.ctx.isRunning && services.ctx.serverPid !== undefined && services.ctx.serverPid !== pid, 20_000);
    await runLens('examples/hello.py');
  }],
  ['2. running hello.py completes with its result', async () => {
    const run = await runToEnd('examples/hello.py');
    assert.equal(run.state, 'completed', `${run.error?.errorType}: ${run.error?.message}`);
    assert.ok((run.fuelConsumed ?? 0) > 0, 'fuel was counted');
    // The result went back to the server: its lens for the task now says so.
    const uri = workspaceFile('examples/hello.py');
    const summary = await poll('the result lens', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, RESOLVE);
      return lenses?.map((l) => l.command?.title ?? '').find((t) => t.startsWith('✓'));
    }, 10_000);
    // The client's own last-result lens: the value, then usage against the task's limits.
    assert.match(summary, /^✓ → "Hello from Capsule!" · \d+(\.\d+)? m?s · fuel [\d.]+M \/ 100M$/);
  }],
  ['an unsaved task file is saved before it runs: the run is what the editor shows', async () => {
    const uri = workspaceFile('unsaved.py');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('from capsule import task\n\n@task\ndef main():\n    return "on disk"\n'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const at = doc.getText().indexOf('on disk');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + 'on disk'.length)), 'in the editor');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.equal(doc.isDirty, true);
    const run = await runToEnd('unsaved.py');
    assert.equal(run.state, 'completed', `${run.error?.errorType}: ${run.error?.message}`);
    assert.equal(run.resultJson, '"in the editor"');
    assert.equal(doc.isDirty, false);
  }],
  ['run with arguments checks the JSON before anything runs; re-run last runs again', async () => {
    const { services } = await api();
    const { lens } = await runLens('examples/hello.py');
    const before = services.store.rootRuns().length;
    const id = await vscode.commands.executeCommand('capsule.runTaskWithArgs', lens.command!.arguments![0], '[1, 2');
    assert.equal(id, undefined, 'bad JSON must not start a run');
    assert.equal(services.store.rootRuns().length, before);
    const again = await vscode.commands.executeCommand<string | undefined>('capsule.rerunLast');
    assert.ok(again, 're-run last started a run');
    await poll('the re-run to end', () => { const r = services.store.get(again); return r && r.state !== 'running' && r.state !== 'created'; }, 60_000);
  }],
  ['tasks show in the Testing view and run from there', async () => {
    const { services } = await api();
    const uri = workspaceFile('examples/hello.py');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await poll('the task index', () => services.tasksView.all.some((t) => t.uri === uri.toString()));
    const task = services.tasksView.all.find((t) => t.uri === uri.toString())!;
    editor.selection = new vscode.Selection(task.line, 0, task.line, 0);
    const before = new Set(services.store.rootRuns().map((r) => r.id));
    // Retried: the Testing view picks the controller's items up a moment after they change.
    const run = await poll('a run started from the Testing view', async () => {
      await vscode.commands.executeCommand('testing.runAtCursor');
      return poll('its run', () => services.store.rootRuns().find((r) => !before.has(r.id)), 3_000).catch(() => undefined);
    }, 30_000);
    assert.equal(run.taskName, 'main');
    await poll('the test run to end', () => services.store.get(run.id)?.state === 'completed', 60_000);
  }],
  ['the Tasks view follows edits by the changes the server sends: its list stays the server\'s whole list', async () => {
    const { services } = await api();
    const uri = workspaceFile('tasks-follow.py');
    const previous = vscode.window.activeTextEditor?.document; // shown again after: later tests act on the active editor
    const text = ['from capsule import task', ''].concat(...Array.from({ length: 30 }, (_, i) => [`@task(compute="LOW")`, `def t${i}(x):`, '    return x', ''])).join('\n');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const mine = () => services.tasksView.all.filter((t) => t.uri === uri.toString());
    const same = async () => JSON.stringify(mine()) === JSON.stringify((await services.ctx.listTasks()).filter((t) => t.uri === uri.toString()));
    try {
      await poll('the 30 tasks in the view', () => mine().length === 30);
      // The tree's nodes (kept between changes: a change refreshes only its own) show the same tasks.
      const tree = () => {
        const file = services.tasksView.getChildren().find((n) => n.kind === 'file' && n.uri === uri.toString());
        return file ? services.tasksView.getChildren(file).map((n) => (n.kind === 'task' ? n.task : undefined)) : [];
      };
      assert.deepEqual(tree(), mine());
      const edits: Array<[string, string]> = [['compute="LOW")\ndef t7', 'compute="LOX")\ndef t7'], ['def t12(', 'def renamed('], ['@task(compute="LOW")\ndef t20(x):\n    return x\n\n', '']];
      for (const [from, to] of edits) {
        const at = doc.getText().indexOf(from);
        assert.ok(at >= 0, from);
        const edit = new vscode.WorkspaceEdit();
        edit.replace(uri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + from.length)), to);
        assert.ok(await vscode.workspace.applyEdit(edit));
        await poll(`the view after ${JSON.stringify(to)}`, same, 20_000);
        assert.deepEqual(tree(), mine(), `the tree after ${JSON.stringify(to)}`);
      }
      assert.equal(mine().find((t) => t.taskName === 't7')?.problems, 1);
      assert.ok(mine().some((t) => t.taskName === 'renamed') && !mine().some((t) => t.taskName === 't12' || t.taskName === 't20'));
      assert.equal(mine().length, 29);
      // A line break above tasks changes none of them but moves them: the view's lines (its
      // tooltips, Go to Source) follow.
      const line25 = mine().find((t) => t.taskName === 't25')!.line;
      const edit = new vscode.WorkspaceEdit();
      edit.insert(uri, doc.positionAt(doc.getText().indexOf('@task(compute="LOW")\ndef t2(')), '\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
      await poll('the view after a line break', async () => mine().find((t) => t.taskName === 't25')?.line === line25 + 1 && await same(), 20_000);
      assert.deepEqual(tree(), mine(), 'the tree after a line break');
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await vscode.workspace.fs.delete(uri);
      if (previous) await vscode.window.showTextDocument(previous);
    }
  }],
  ['3. a bad ram gets a diagnostic on the value', async () => {
    const uri = workspaceFile('examples/hello.py');
    const doc = await vscode.workspace.openTextDocument(uri);
    const at = doc.getText().indexOf('64MB');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + 4)), '64XB');
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      const d = await poll('a ram diagnostic', () => vscode.languages.getDiagnostics(uri).find((x) => /64XB/.test(x.message)));
      assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
      assert.equal(doc.getText(d.range).replace(/"/g, ''), '64XB');
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  }],
  ['a file\'s diagnostics come from several pull providers; edits and quick fixes keep them whole', async () => {
    // 60 tasks: every third with a bad compute, every fifth with a bad ram (a fix: "64MB").
    const lines = ['from capsule import task', ''];
    for (let i = 0; i < 60; i++) lines.push(`@task(compute="${i % 3 ? 'LOW' : 'ultra'}", ram="${i % 5 ? '256MB' : '64M'}")`, `def t${i}(x):`, '    return x + 1', '');
    const uri = workspaceFile('many_diagnostics.py');
    await vscode.workspace.fs.writeFile(uri, Buffer.from(lines.join('\n')));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    // The oracle is the text: one diagnostic per bad value, on its line.
    const expected = () => {
      const t = doc.getText().split('\n');
      return t.flatMap((l, n) => [...(l.includes('"ultra"') ? [`${n} compute`] : []), ...(l.includes('"64M"') ? [`${n} ram`] : [])]).sort();
    };
    const shown = () => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'capsule').map((d) => `${d.range.start.line} ${d.code}`).sort();
    const whole = (what: string) => poll(what, () => JSON.stringify(shown()) === JSON.stringify(expected()), 20_000).catch((e: Error) => { throw new Error(`${e.message}: shown ${shown().join(', ')}; expected ${expected().join(', ')}`); });
    try {
      await whole('the diagnostics of every bad value');
      assert.equal(expected().length, 32);
      // VS Code's client keeps one provider (and diagnostic collection) per registration.
      const client = (((await api()).services.ctx as unknown) as { client: { getFeature(m: string): { getAllProviders(): unknown[] } } }).client;
      const providers = client.getFeature('textDocument/diagnostic').getAllProviders().length;
      assert.ok(providers > 1, `diagnostic providers: ${providers}`);
      console.log(`capsule e2e: ${providers} diagnostic pull providers`);
      // A value fixed near the end, then a line break at the top (every diagnostic moves).
      const last = doc.getText().lastIndexOf('"ultra"');
      let edit = new vscode.WorkspaceEdit();
      edit.replace(uri, new vscode.Range(doc.positionAt(last + 1), doc.positionAt(last + 6)), 'LOW');
      assert.ok(await vscode.workspace.applyEdit(edit));
      await whole('the fixed value\'s diagnostic gone, the others kept');
      edit = new vscode.WorkspaceEdit();
      edit.insert(uri, new vscode.Position(1, 0), '\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
      await whole('every diagnostic one line lower');
      // The quick fix of the last bad ram (from whichever provider holds it).
      const ram = vscode.languages.getDiagnostics(uri).filter((d) => d.code === 'ram').sort((a, b) => b.range.start.line - a.range.start.line)[0]!;
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, ram.range);
      const fix = actions?.find((a) => a.edit && /64MB/.test(a.title));
      assert.ok(fix, `a "64MB" fix for line ${ram.range.start.line}: ${actions?.map((a) => a.title).join(', ')}`);
      assert.ok(await vscode.workspace.applyEdit(fix.edit!));
      assert.match(doc.lineAt(ram.range.start.line).text, /ram="64MB"/);
      await whole('the fixed ram\'s diagnostic gone');
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await vscode.workspace.fs.delete(uri);
    }
  }],
  ['4. a failing task ends failed with its error', async () => {
    const run = await runToEnd('failing.py');
    assert.equal(run.state, 'failed');
    assert.equal(run.error?.errorType, 'task_error');
    assert.match(run.error?.message ?? '', /fails on purpose/);
  }],
  ['Run on queue: with capsule.queue.url set, a lens runs the task on a queue worker, and Task Runs names the worker', async () => {
    const missing = redisMissing();
    if (missing) { console.log(`capsule e2e: skipped Run on queue: ${missing}`); return; }
    const { services } = await api();
    const uri = workspaceFile('examples/hello.py');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const queueLens = async () => (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, RESOLVE))?.find((l) => l.command?.command === 'capsule.runTaskOnQueue');
    assert.equal(await queueLens(), undefined, 'no queue lens while the setting is empty');
    const redis = await startRedis();
    // A worker is started outside VS Code: here, the package's own `capsule worker`.
    const worker = await startWorker(redis.url, { bin: join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'bin/capsule.js') });
    const config = vscode.workspace.getConfiguration('capsule');
    try {
      await config.update('queue.url', redis.url, vscode.ConfigurationTarget.Global);
      const lens = await poll('a Run on queue lens', queueLens);
      assert.equal(lens.command!.title, '$(cloud-upload) Run on queue');
      const id = await vscode.commands.executeCommand<string | undefined>(lens.command!.command, ...(lens.command!.arguments ?? []));
      assert.ok(id, 'the queued run did not start');
      const run = await poll('the queued run to end', () => { const r = services.store.get(id); return r && ['completed', 'failed', 'timed_out', 'interrupted'].includes(r.state) ? r : undefined; }, 90_000);
      assert.equal(run.state, 'completed', `${run.error?.errorType}: ${run.error?.message}\nworker: ${worker.out()}`);
      assert.equal(run.resultJson, '"Hello from Capsule!"');
      assert.equal(run.attempts[0]?.worker, worker.id);
      // The Task Runs row and its tooltip name the worker.
      const item = services.runsView.getTreeItem({ kind: 'run', run });
      assert.ok(String(item.description).endsWith(` · on ${worker.id}`), String(item.description));
      assert.match(String(item.tooltip), new RegExp(`ran on queue worker ${worker.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    } finally {
      await config.update('queue.url', undefined, vscode.ConfigurationTarget.Global);
      await worker.stop();
      await redis.stop();
    }
    await poll('the queue lens to go with the setting', async () => (await queueLens()) === undefined);
  }],
  ['5. a long task cancelled from the tree ends interrupted', async () => {
    const { services } = await api();
    const { lens } = await runLens('slow.py');
    const id = await vscode.commands.executeCommand<string>(lens.command!.command, ...(lens.command!.arguments ?? []));
    const run = await poll('the slow run to be running', () => services.store.get(id)?.state === 'running' && services.store.get(id));
    // The task runs in a worker: the host's event loop keeps turning meanwhile (coarse: 1 s).
    let worst = 0;
    for (let i = 0; i < 20; i++) {
      const t = Date.now();
      await new Promise((r) => setTimeout(r, 10));
      worst = Math.max(worst, Date.now() - t);
    }
    assert.ok(worst < 1000, `the extension host stalled ${worst} ms while a task ran`);
    assert.equal(services.store.get(id)?.state, 'running');
    const cancelledAt = Date.now();
    await vscode.commands.executeCommand('capsule.cancelRun', { kind: 'run', run });
    await poll('the slow run to end interrupted', () => services.store.get(id)?.state === 'interrupted', 20_000);
    assert.ok(Date.now() - cancelledAt < 20_000);
    assert.equal(services.runner.runningCount, 0);
  }],
  ['a bad decorator blocks only its task; a run\'s own output opens as a document from the trace', async () => {
    const uri = workspaceFile('isolation.py');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const titles = await poll('the isolation lenses', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, RESOLVE);
      const t = lenses?.map((l) => l.command?.title ?? '') ?? [];
      return t.includes("⚠ can't run") && t.includes('▶ Run task') ? t : undefined;
    });
    assert.equal(titles.filter((t) => t === '▶ Run task').length, 1, 'only chatty can run');
    const run = await runToEnd('isolation.py');
    assert.equal(run.taskName, 'chatty');
    assert.equal(run.state, 'completed', `${run.error?.errorType}: ${run.error?.message}`);
    await vscode.commands.executeCommand('capsule.showOutput', { kind: 'run', run });
    const doc = await poll('the run\'s output document', () => { const d = vscode.window.activeTextEditor?.document; return d?.uri.scheme === 'capsule-run' ? d : undefined; }, 10_000);
    assert.match(doc.getText(), /chatty\(\) · completed\n\| chatty says hello/);
  }],
  ['Task Runs groups runs by task and back', async () => {
    const { services } = await api();
    await vscode.commands.executeCommand('capsule.groupRunsByTask');
    try {
      const groups = services.runsView.getChildren();
      assert.ok(groups.length > 0 && groups.every((g) => g.kind === 'group'), 'the top level is groups');
      const names = groups.map((g) => (g.kind === 'group' ? g.taskName : ''));
      assert.equal(new Set(names.map((n, i) => `${n}#${(groups[i] as { file: string }).file}`)).size, groups.length, 'one group per task and file');
      const runs = services.runsView.getChildren(groups[0]);
      assert.ok(runs.length > 0 && runs.every((r) => r.kind === 'run'));
    } finally {
      await vscode.commands.executeCommand('capsule.listRunsFlat');
    }
    assert.ok(services.runsView.getChildren().every((n) => n.kind === 'run'));
  }],
  ['clear history empties Task Runs and the trace', async () => {
    const { services } = await api();
    assert.ok(services.store.rootRuns().length > 0, 'earlier tests left runs');
    await vscode.commands.executeCommand('capsule.clearHistory', true);
    assert.equal(services.store.rootRuns().length, 0);
    const engine = await services.engines.engineFor(workspaceFile('examples/hello.py').fsPath);
    assert.deepEqual(await engine.history(), []);
  }],
];

export async function run(): Promise<void> {
  const only = process.env.CAPSULE_E2E_GREP ? new RegExp(process.env.CAPSULE_E2E_GREP) : undefined;
  const failures: string[] = [];
  let ran = 0;
  for (const [name, body] of tests) {
    if (only && !only.test(name)) continue;
    ran++;
    const t0 = Date.now();
    try {
      await body();
      console.log(`capsule e2e: ok - ${name} (${Date.now() - t0} ms)`);
    } catch (err) {
      failures.push(name);
      console.log(`capsule e2e: not ok - ${name}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    }
  }
  console.log(`capsule e2e: ${ran - failures.length} passed, ${failures.length} failed`);
  if (ran === 0) throw new Error(`no in-host test matched CAPSULE_E2E_GREP=${process.env.CAPSULE_E2E_GREP}`);
  if (failures.length) throw new Error(`${failures.length} in-host test(s) failed: ${failures.join('; ')}`);
}
