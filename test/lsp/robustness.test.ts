// The real server under input real clients send: inverted change ranges, URIs that
// name no local file, a file too large to check as you type, code that is not
// capsule's, and requests after shutdown.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { discoverTasks, initParser } from '../../runtime/src/discovery/index';
import { taskDiagnostics } from '../../server/src/diagnostics';
import { rmSync, writeFileSync } from 'node:fs';
import { cliRun, variantProject } from './agreement-helpers';
import { FIXTURE, startServer, uriOf, type TestServer } from './client';

let s: TestServer;
before(async () => {
  s = await startServer();
});
after(async () => {
  await s.stop();
});

const TEXT = 'from capsule import task\n\n@task(compute="LOW")\ndef a():\n    return 1\n\n@task(ram="64MB")\ndef b():\n    return 2\n';

test('an inverted change range is applied as the text library applies it, and the diagnostics match a fresh parse', async () => {
  const uri = uriOf(join(FIXTURE, 'inverted.py'));
  await s.open(uri, TEXT, 1);
  assert.deepEqual(await s.diagnosticsFor(uri, 1), []);
  // start after end: {3,5} .. {2,0}
  const change = { range: { start: { line: 3, character: 5 }, end: { line: 2, character: 0 } }, text: '@task(compute="ultra")\ndef a' };
  await s.change(uri, 2, [change]);
  const got = await s.diagnosticsFor(uri, 2);
  const expected = TextDocument.applyEdits(TextDocument.create(uri, 'python', 1, TEXT), [{ range: { start: change.range.end, end: change.range.start }, newText: change.text }]);
  const parser = await initParser();
  const fresh = taskDiagnostics(discoverTasks(expected, { parser }), []);
  assert.deepEqual(got.map((d) => [d.message, d.range]), fresh.map((d) => [d.message, d.range]));
  assert.equal(got.length, 1);
  assert.match(String(got[0]!.message), /compute "ultra" is not a level/);
  const lenses = (await s.rpc.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as unknown[];
  assert.equal(lenses.length, 6, 'both tasks keep their three lenses (run, run with arguments, limits or "config errors")');
});

test('URIs that name no local file are tracked without a project, and do not throw', async () => {
  for (const uri of ['file://remotehost/share/x.py', 'file:///C:/x%ZZ.py']) {
    await s.open(uri, 'from capsule import task\n@task(ram="1XB")\ndef f(): pass\n', 1);
    const d = await s.diagnosticsFor(uri, 1);
    assert.deepEqual(d.map((x) => x.message), ['ram "1XB": unknown unit "XB"; use B, KB, MB or GB, e.g. "512MB"'], uri);
    const lenses = (await s.rpc.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as unknown[];
    assert.ok(lenses.length > 0, uri);
  }
  assert.doesNotMatch(s.stderr(), /TypeError|URIError/);
});

test('a file over 2 MB gets one information message and no parse; it is checked again once smaller', async () => {
  const uri = uriOf(join(FIXTURE, 'huge.py'));
  const big = `x = [${'1, '.repeat(800_000)}]\n@task(ram="1XB")\ndef f(): pass\n`;
  await s.open(uri, big, 1);
  const d = await s.diagnosticsFor(uri, 1);
  assert.equal(d.length, 1);
  assert.equal(d[0]!.severity, 3);
  assert.match(String(d[0]!.message), /^Capsule does not check this file: it is 2\.\d MB, over the 2 MB/);
  await s.change(uri, 2, [{ text: 'from capsule import task\n@task(ram="1XB")\ndef f(): pass\n' }]);
  assert.deepEqual((await s.diagnosticsFor(uri, 2)).map((x) => x.message), ['ram "1XB": unknown unit "XB"; use B, KB, MB or GB, e.g. "512MB"']);
});

test('code that is not capsule\'s gets no diagnostic and no lens', async () => {
  const sources = [
    'from fabric.api import *\n\n@task\ndef deploy():\n    run("make")\n',
    'task, other = (lambda f: f), 1\n\n@task\ndef a(): pass\n',
    'for task in range(3):\n    pass\n\n@task\ndef a(): pass\n',
  ];
  for (const [i, text] of sources.entries()) {
    const uri = uriOf(join(FIXTURE, `not_ours_${i}.py`));
    await s.open(uri, text, 1);
    assert.deepEqual(await s.diagnosticsFor(uri, 1), [], text);
    assert.deepEqual(await s.rpc.sendRequest('textDocument/codeLens', { textDocument: { uri } }), [], text);
  }
});

test('after shutdown, a request is an InvalidRequest error', async () => {
  const other = await startServer();
  try {
    await other.rpc.sendRequest('shutdown');
    await assert.rejects(other.rpc.sendRequest('textDocument/codeLens', { textDocument: { uri: uriOf(join(FIXTURE, 'main.py')) } }), (e: { code?: number }) => e.code === -32600);
    await assert.rejects(other.rpc.sendRequest('capsule/listTasks', {}), (e: { code?: number }) => e.code === -32600);
  } finally {
    await other.stop();
  }
});

test('after shutdown, every request is refused, shutdown and initialize too, and exit still ends the process with 0', async () => {
  const other = await startServer();
  const refused = (e: { code?: number }) => e.code === -32600;
  try {
    const uri = uriOf(join(FIXTURE, 'main.py'));
    await other.open(uri, 'from capsule import task\n\n@task(ram="1XB")\ndef main():\n    return 1\n', 1);
    await other.diagnosticsFor(uri, 1);
    assert.equal(await other.rpc.sendRequest('shutdown'), null);
    await assert.rejects(other.rpc.sendRequest('shutdown'), refused, 'a second shutdown');
    await assert.rejects(other.rpc.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} }), refused, 'initialize');
    // Nothing was set up again: every request, even one the server has no handler for, is refused.
    const position = { line: 2, character: 11 };
    for (const [method, params] of [
      ['textDocument/codeLens', { textDocument: { uri } }],
      ['textDocument/diagnostic', { textDocument: { uri } }],
      ['textDocument/hover', { textDocument: { uri }, position }],
      ['textDocument/completion', { textDocument: { uri }, position }],
      ['textDocument/definition', { textDocument: { uri }, position }],
    ] as const) {
      await assert.rejects(other.rpc.sendRequest(method, params), refused, method);
    }
    await other.rpc.sendNotification('exit');
    await other.waitFor('exit', () => other.proc.exitCode !== null, 5000);
    assert.equal(other.proc.exitCode, 0);
  } finally {
    if (other.proc.exitCode === null) await other.stop();
    else other.rpc.dispose();
  }
});

test('a second initialize is refused, and the server keeps answering as first set up', async () => {
  const other = await startServer();
  try {
    await assert.rejects(other.rpc.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} }), (e: { code?: number; message?: string }) => e.code === -32600 && /initialized already/.test(e.message ?? ''));
    const uri = uriOf(join(FIXTURE, 'main.py'));
    await other.open(uri, 'from capsule import task\n\n@task(ram="1XB")\ndef main():\n    return 1\n', 1);
    assert.equal((await other.diagnosticsFor(uri, 1)).length > 0, true, 'still serving the first setup');
  } finally {
    await other.stop();
  }
});

test('a file python3 refuses before parsing (a NUL byte, undeclared Latin-1) gets the CLI\'s own error at the same place', async () => {
  const project = variantProject('capsule-unreadable-');
  try {
    const files: Array<[string, Buffer]> = [
      ['nul.py', Buffer.from('from capsule import task\n\n@task\ndef main():\n    return "a\0b"\n')],
      ['latin1.py', Buffer.concat([Buffer.from('from capsule import task\n\n@task\ndef main():\n    return "gr'), Buffer.from([0xfc]), Buffer.from('n"\n')])],
    ];
    for (const [name, bytes] of files) {
      const path = join(project, name);
      writeFileSync(path, bytes);
      const cli = await cliRun(project, name, 'main');
      assert.equal(cli.code, 2, name);
      const m = /:(\d+):(\d+): (?:task "main": )?(SyntaxError: [^\n]*)/.exec(cli.stderr);
      assert.ok(m, cli.stderr);
      const editor = await startServer(project);
      try {
        // As an editor shows it: undecodable bytes become U+FFFD.
        await editor.open(uriOf(path), new TextDecoder().decode(bytes), 1);
        const d = await editor.diagnosticsFor(uriOf(path), 1);
        const expected = [[m[3], { line: Number(m[1]) - 1, character: Number(m[2]) - 1 }]];
        assert.deepEqual(d.map((x) => [x.message, x.range.start]), expected, name);
        // A NUL typed into a clean text (the server checks each change's text, not the whole file per keystroke).
        // (A typed U+FFFD is a real character, which python3 accepts: only undecodable bytes on disk are refused.)
        const text = new TextDecoder().decode(bytes);
        const at = text.indexOf('\0');
        if (at < 0) continue;
        const clean = text.slice(0, at) + text.slice(at + 1);
        const typed = uriOf(join(project, `typed-${name}`));
        await editor.open(typed, clean, 1);
        assert.deepEqual(await editor.diagnosticsFor(typed, 1), [], `${name}: clean`);
        const pos = { line: Number(m[1]) - 1, character: clean.split('\n')[Number(m[1]) - 1]!.length - 2 };
        await editor.change(typed, 2, [{ range: { start: pos, end: pos }, text: text[at] }]);
        const after = await editor.diagnosticsFor(typed, 2);
        assert.deepEqual(after.map((x) => x.message), [m[3]], `${name}: typed`);
        await editor.change(typed, 3, [{ range: { start: pos, end: { line: pos.line, character: pos.character + 1 } }, text: '' }]);
        assert.deepEqual(await editor.diagnosticsFor(typed, 3), [], `${name}: deleted again`);
      } finally {
        await editor.stop();
      }
    }
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
