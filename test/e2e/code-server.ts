// Starts code-server 4.100.3 (installed by setup.sh) on a free loopback port, with its
// config, data and extensions in a temp dir, and stops it by its process group.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const REPO = resolve(dirname(__filename), '../..');
export const CODE_SERVER = join(REPO, '.code-server/code-server-4.100.3');

export interface CodeServer {
  url: string;
  port: number;
  workspace: string;
  /** Builds the address of the workbench, with an optional in-host test suite. */
  workbenchUrl(opts?: { extensionTestsPath?: string }): string;
  log(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => ok(port));
    });
  });
}

async function waitHealthy(url: string, child: ChildProcess, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`code-server not healthy within ${deadlineMs} ms`);
}

/** A fresh workspace: the test fixtures plus examples/hello.py, as a user would have it. */
export function makeWorkspace(root: string): string {
  const ws = join(root, 'workspace');
  cpSync(join(REPO, 'test/e2e/fixtures/workspace'), ws, { recursive: true });
  mkdirSync(join(ws, 'examples'), { recursive: true });
  cpSync(join(REPO, 'examples/hello.py'), join(ws, 'examples/hello.py'));
  return ws;
}

/** Installs a .vsix into an extensions dir with code-server's own CLI. */
function installVsix(vsix: string, extensionsDir: string, userData: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((ok, fail) => {
    let out = '';
    const child = spawn(process.execPath, [join(CODE_SERVER, 'out/node/entry.js'), '--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', userData], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => { out += d; });
    child.stderr!.on('data', (d) => { out += d; });
    child.on('exit', (code) => (code === 0 && /successfully installed/i.test(out) ? ok() : fail(new Error(`installing ${vsix} failed (${code}):\n${out}`))));
  });
}

/**
 * Starts code-server. By default the extension loads from this checkout as a
 * development extension; with `vsix`, that package is installed the way a user would.
 */
export async function startCodeServer(opts: { vsix?: string } = {}): Promise<CodeServer> {
  if (!existsSync(join(CODE_SERVER, '.capsule-setup-done'))) throw new Error(`code-server is not installed: run test/e2e/setup.sh first (looked in ${CODE_SERVER})`);
  const tmp = mkdtempSync(join(tmpdir(), 'capsule-e2e-'));
  const workspace = makeWorkspace(tmp);
  const userData = join(tmp, 'user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  // Quiet, deterministic workbench: no welcome page, no trust prompt, no auto-updates.
  writeFileSync(join(userData, 'User/settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'telemetry.telemetryLevel': 'off',
    'workbench.tips.enabled': false,
    'editor.codeLens': true,
    'files.autoSave': 'off',
    'window.commandCenter': false,
    'chat.commandCenter.enabled': false,
    // Typing in tests must produce exactly the keys typed.
    'editor.autoClosingBrackets': 'never',
    'editor.autoClosingQuotes': 'never',
    'editor.autoSurround': 'never',
    'editor.quickSuggestions': { other: false, comments: false, strings: false },
    'editor.suggestOnTriggerCharacters': false,
    'editor.acceptSuggestionOnEnter': 'off',
    'editor.hover.delay': 100,
    ...(process.env.CAPSULE_E2E_TRACE ? { 'capsule.trace.server': 'verbose' } : {}),
  }, null, 2));
  const env = { ...process.env, HOME: tmp, XDG_CONFIG_HOME: join(tmp, 'config'), XDG_DATA_HOME: join(tmp, 'data'), VSCODE_AGENT_FOLDER: join(tmp, 'agent') };
  if (opts.vsix) await installVsix(opts.vsix, join(tmp, 'extensions'), userData, env);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let out = '';
  const child = spawn(process.execPath, [
    join(CODE_SERVER, 'out/node/entry.js'),
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', userData, '--extensions-dir', join(tmp, 'extensions'), '--config', join(tmp, 'config.yaml'),
    workspace,
  ], {
    cwd: tmp,
    detached: true, // its own process group, so stop() ends the server and everything it spawned
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise((r) => child.once('exit', r));
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
      const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 3000);
      await exited;
      clearTimeout(timer);
    }
    if (!process.env.CAPSULE_E2E_KEEP) rmSync(tmp, { recursive: true, force: true });
  };
  // Playwright's own Ctrl-C handling would leave the server orphaned: stop it ourselves.
  process.once('exit', () => { if (child.exitCode === null && child.pid) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } });
  try {
    await waitHealthy(url, child, 30_000);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${out}`);
  }
  const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${p}`;
  return {
    url, port, workspace,
    workbenchUrl(extra = {}) {
      const payload: [string, string][] = opts.vsix ? [] : [['extensionDevelopmentPath', remote(REPO)]];
      if (extra.extensionTestsPath) payload.push(['extensionTestsPath', remote(extra.extensionTestsPath)]);
      return `${url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    },
    log: () => out,
    stop,
  };
}
