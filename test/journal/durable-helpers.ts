// Shared by the durable-run tests: a throwaway project, the CLI as a child process,
// the journal read with the sqlite3 tool, a loopback server that counts its hits.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve('bin/capsule.js');

export function project(files: Record<string, string>): { dir: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-durable-'));
  mkdirSync(join(dir, 'out'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The CLI as a child process, awaited without blocking this process (its loopback servers must answer). */
export async function capsule(args: string[], cwd: string): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('close', (c) => r(c)));
  return { code, out, err };
}

export function sql(dir: string, query: string): string {
  const r = spawnSync('sqlite3', ['-readonly', join(dir, '.capsule', 'trace.db'), query], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

/**
 * Starts `capsule run`, waits until out/log.txt (one line per sub-task started)
 * has `lines` lines, then SIGKILLs the CLI. The trace is not polled while the CLI
 * writes it: the sqlite3 tool does not see node-sqlite3-wasm's lock, and would
 * roll back a transaction in flight as a hot journal.
 */
export async function runAndKill(dir: string, args: string[], lines: number): Promise<void> {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'run', ...args], { cwd: dir, stdio: 'ignore' });
  const deadline = Date.now() + 120_000;
  const log = join(dir, 'out', 'log.txt');
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the run ended (exit ${child.exitCode}) before ${lines} sub-tasks started`);
      if (Date.now() > deadline) throw new Error(`fewer than ${lines} sub-tasks started in time`);
      if (existsSync(log) && readFileSync(log, 'utf8').split('\n').length - 1 >= lines) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
  }
}

export async function countingServer(): Promise<{ url: string; hits: Map<string, number>; close(): Promise<void> }> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const path = req.url ?? '/';
      hits.set(path, (hits.get(path) ?? 0) + 1);
      res.setHeader('content-type', 'application/json');
      res.setHeader('set-cookie', `session=${req.headers.authorization ?? 'none'}`);
      res.end(JSON.stringify({ path, hit: hits.get(path), auth: req.headers.authorization ?? null, body }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, hits, close: () => new Promise((r) => server.close(() => r())) };
}
