// The `capsule` command line: run, build, exec, history (main.ts is the bundle's entry). Exit codes: 0 success,
// 1 the task failed, 2 usage or configuration error.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, UsageError } from '../engine/errors';
import { build, loadArtifact, previousBuild, reportBuild, type Manifest } from './build-command';
import { isExport, unpackExport, writeExport } from './export-artifact';
import { projectPython } from './package-files';
import { showHistory } from './history-command';
import { findProjectRoot, resolveEntry } from './project';
import { runTask } from './run-command';
import { rerunFromJournal } from './journal-commands';
import { serveStdio } from './serve-command';
import { queueFor } from './queue-option';
import { loadQueue } from './queue-loader';
import { workerOptions } from './worker-options';
import { colourEnabled, makeStyle, type Style } from './style';
import { EXIT, USAGE, UsageFailure } from './usage';
import type { Streams } from './reporter';

function version(): string {
  // dist/cli.js and runtime/src/cli/main.ts both sit under the package root.
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'capsule-vscode' && pkg.version) return pkg.version;
    }
  }
  return '0.0.0';
}

const RUN_OPTIONS = {
  task: { type: 'string', short: 't' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  'args-file': { type: 'string' },
  mount: { type: 'string', multiple: true },
  queue: { type: 'string' },
  local: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

const WORKER_OPTIONS = {
  queue: { type: 'string' },
  concurrency: { type: 'string', short: 'c' },
  'files-root': { type: 'string' },
  mount: { type: 'string', multiple: true },
  'cache-dir': { type: 'string' },
  grace: { type: 'string' },
  heartbeat: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, command: string) {
  try {
    return parseArgs({ args: dashValues(argv, options), options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageFailure(`capsule ${command}: ${(e as Error).message.replace(/\. To specify.*$/s, '')}; see "capsule --help"`);
  }
}

/**
 * `--task -x`: a task may be named "-x", so a string option's value may start with "-"
 * (parseArgs would refuse it); unless it is one of the command's own options, or "--".
 */
function dashValues(argv: string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const isOption = (a: string) => {
    const name = a.startsWith('--') ? a.slice(2).split('=')[0]! : undefined;
    return a === '--' || (name !== undefined ? name in options : Object.values(options).some((o) => o.short === a.slice(1, 2)));
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    const opt = a.startsWith('--') && !a.includes('=') ? options[a.slice(2)] : undefined;
    if (opt?.type === 'string' && next !== undefined && next.startsWith('-') && !isOption(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** Splits `-- ARGS...` off, so task arguments never parse as options. */
function splitTaskArgs(argv: string[]): [string[], string[]] {
  const i = argv.indexOf('--');
  return i < 0 ? [argv, []] : [argv.slice(0, i), argv.slice(i + 1)];
}

/**
 * A build folder (checked against the sources now), or an export file: unpacked into the
 * user's cache, built there, and refused unless that build has the fingerprint it was made with.
 */
async function loadAny(artifact: string, cwd: string): Promise<Manifest> {
  const path = resolve(cwd, artifact);
  if (!isExport(path)) return loadArtifact(artifact, cwd, version());
  let { root, manifest } = unpackExport(path);
  // The export brings its own packages (.venv/): an activated virtualenv here is not its.
  delete process.env.VIRTUAL_ENV;
  let built = await build(root, join(root, manifest.entry), version());
  if (built.manifest.fingerprint !== manifest.fingerprint && manifest.capsuleVersion === version()) {
    // The unpacked copy was changed since (a task of it wrote there): unpack it again.
    ({ root, manifest } = unpackExport(path, true));
    built = await build(root, join(root, manifest.entry), version());
  }
  if (built.manifest.fingerprint !== manifest.fingerprint) {
    const why = manifest.capsuleVersion === version() ? 'its files do not add up to the fingerprint it records' : `it was made by Capsule ${manifest.capsuleVersion}, this is ${version()}`;
    throw new UsageFailure(`${artifact}: ${why}; make it again with "capsule build --export"`);
  }
  return built.manifest;
}

export async function main(argv: string[], io: Streams, cwd = process.cwd()): Promise<number> {
  const style: Style = makeStyle(colourEnabled(io.out as { isTTY?: boolean }));
  const errStyle: Style = makeStyle(colourEnabled(io.err as { isTTY?: boolean }));
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.out.write(`${USAGE}\n`);
        return EXIT.ok;
      case '-v':
      case '--version':
        io.out.write(`${version()}\n`);
        return EXIT.ok;
      case 'run': {
        const [own, taskArgs] = splitTaskArgs(rest);
        const { values, positionals } = parse(own, RUN_OPTIONS, 'run');
        if (values.help) return io.out.write(`${USAGE}\n`), EXIT.ok;
        if (positionals.length > 1) throw new UsageFailure(`capsule run: one file at a time, got ${positionals.join(' ')}; put task arguments after "--"`);
        const { file, projectRoot } = resolveEntry(positionals[0], cwd);
        const queue = queueFor(values.queue, !!values.local, projectRoot);
        return await runTask(
          { file, projectRoot, taskName: values.task ?? 'main', json: !!values.json, verbose: !!values.verbose, argsFile: values['args-file'], mounts: values.mount ?? [], positional: taskArgs, cwd, queue },
          io,
          errStyle,
        );
      }
      case 'exec': {
        const [own, taskArgs] = splitTaskArgs(rest);
        const { values, positionals } = parse(own, RUN_OPTIONS, 'exec');
        if (values.help) return io.out.write(`${USAGE}\n`), EXIT.ok;
        if (positionals.length !== 1) throw new UsageFailure('capsule exec: give one artifact, a folder made by "capsule build" (under .capsule/build/) or a file made by "capsule build --export"');
        const m = await loadAny(positionals[0]!, cwd);
        const taskName = values.task ?? 'main';
        if (!m.tasks.some((t) => t.name === taskName)) {
          throw new UsageFailure(`capsule exec: the artifact has no task "${taskName}"; it has ${m.tasks.map((t) => `"${t.name}"`).join(', ')}`);
        }
        return await runTask(
          { file: resolve(m.projectRoot, m.entry), projectRoot: m.projectRoot, taskName, json: !!values.json, verbose: !!values.verbose, argsFile: values['args-file'], mounts: values.mount ?? [], positional: taskArgs, cwd },
          io,
          errStyle,
        );
      }
      case 'build': {
        const { values, positionals } = parse(rest, { help: { type: 'boolean', short: 'h' }, export: { type: 'string' } }, 'build');
        if (values.help) return io.out.write(`${USAGE}\n`), EXIT.ok;
        if (positionals.length > 1) throw new UsageFailure('capsule build: one file at a time');
        const { file, projectRoot } = resolveEntry(positionals[0], cwd);
        const previous = previousBuild(projectRoot, file);
        const built = await build(projectRoot, file, version());
        reportBuild(built, previous, io, style);
        if (values.export !== undefined) {
          if (values.export === '') throw new UsageFailure('capsule build: --export needs a file name, e.g. --export app.capsule');
          const out = resolve(cwd, values.export);
          const m = built.manifest;
          const e = writeExport(out, projectRoot, projectPython(projectRoot), { entry: m.entry, fingerprint: m.fingerprint, capsuleVersion: m.capsuleVersion, tasks: m.tasks.map((t) => t.name) });
          const mb = (e.files.reduce((n, f) => n + f.size, 0) / 1048576).toFixed(1);
          io.out.write(`${style.green('exported')} ${m.entry} (${e.files.length} files, ${mb} MB before compression) -> ${out}\n`);
        }
        return EXIT.ok;
      }
      case 'resume':
      case 'replay': {
        const { values, positionals } = parse(rest, { strict: { type: 'boolean' }, json: { type: 'boolean' }, verbose: { type: 'boolean' }, project: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, command);
        if (values.help) return io.out.write(`${USAGE}\n`), EXIT.ok;
        if (positionals.length > 1) throw new UsageFailure(`capsule ${command}: one run at a time, got ${positionals.join(' ')}`);
        if (command === 'replay' && positionals.length === 0) throw new UsageFailure('capsule replay: give the id of the run to replay (see "capsule history")');
        if (command === 'replay' && values.strict) throw new UsageFailure('capsule replay: --strict is for resume; a replay always stops at the first divergence');
        const projectRoot = values.project ? resolve(cwd, values.project) : (findProjectRoot(cwd) ?? cwd);
        return await rerunFromJournal(
          { projectRoot, runId: positionals[0], mode: command, strict: !!values.strict, json: !!values.json, verbose: !!values.verbose, cwd },
          io,
          errStyle,
        );
      }
      case 'serve': {
        const { values } = parse(rest, { stdio: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, 'serve');
        if (values.help) return io.out.write(`${USAGE}\n`), EXIT.ok;
        if (!values.stdio) throw new UsageFailure('capsule serve: give --stdio (requests and replies as JSON lines on stdin and stdout)');
        return await serveStdio(process.stdin, io.out);
      }
      case 'worker': {
        const { values, positionals } = parse(rest, WORKER_OPTIONS, 'worker');
        if (values.help) return io.out.write(`${USAGE}\n`), EXIT.ok;
        if (positionals.length) throw new UsageFailure(`capsule worker: unexpected ${positionals.join(' ')}`);
        const options = workerOptions(values, cwd);
        const q = await loadQueue();
        try {
          return await q.workerCommand(options, io);
        } catch (e) {
          if (e instanceof q.QueueUnreachable) throw new UsageFailure(`capsule worker: ${e.message}`);
          throw e;
        }
      }
      case 'history': {
        const { values, positionals } = parse(rest, { limit: { type: 'string', short: 'n' }, json: { type: 'boolean' }, clear: { type: 'boolean' }, project: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, 'history');
        if (values.help) return io.out.write(`${USAGE}\n`), EXIT.ok;
        if (positionals.length) throw new UsageFailure(`capsule history: unexpected ${positionals.join(' ')}`);
        const limit = values.limit === undefined ? 20 : Number(values.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new UsageFailure(`capsule history: --limit must be a whole number of at least 1, got "${values.limit}"`);
        const root = values.project ? resolve(cwd, values.project) : (findProjectRoot(cwd) ?? cwd);
        return showHistory(root, { limit, json: !!values.json, clear: !!values.clear }, io, style);
      }
      default:
        throw new UsageFailure(`unknown command "${command}"; the commands are run, build, exec, resume, replay, history, serve and worker (see "capsule --help")`);
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err.write(`${e.message}\n${errStyle.red('capsule: configuration error; nothing was run')}\n`);
      return EXIT.usage;
    }
    if (e instanceof UsageFailure || e instanceof UsageError) {
      io.err.write(`${errStyle.red('capsule:')} ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}
