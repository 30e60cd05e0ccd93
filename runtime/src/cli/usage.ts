// Usage text and the error for bad command lines (exit code 2).
export class UsageFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageFailure';
  }
}

export const EXIT = { ok: 0, taskFailed: 1, usage: 2 } as const;

export const USAGE = `usage: capsule <command> [options]

Commands:
  run [FILE] [--task NAME] [--json] [--verbose] [--args-file F.json] [--mount HOST::GUEST[:ro]] [-- ARGS...]
        Run a task (default "main") of FILE (default: capsule.toml's [workflow] entrypoint)
        in a fresh WebAssembly sandbox. ARGS are JSON values (or plain strings).
        --args-file holds a JSON list (args), an object (kwargs) or {"args": [...], "kwargs": {...}}.
        --queue redis://HOST:PORT[/DB] (or CAPSULE_QUEUE, or capsule.toml's [queue] url) runs the
        task and its sub-tasks on queue workers instead; --local runs here whatever those say.
  build [FILE] [--export OUT]
        Check every task's config, record a fingerprint of the sources and of the packages
        they import from (the virtualenv, python_path) in .capsule/build/, and make FILE's
        import snapshot and bytecode so runs start with its imports done; unchanged files
        are not rebuilt. --export OUT also writes one self-contained file (sources, package
        data, packages; never .env) that "capsule exec OUT" runs on another machine.
  exec ARTIFACT [--task NAME] [--json] [--verbose] [--args-file F.json] [-- ARGS...]
        Run a built artifact (a .capsule/build/<fingerprint> folder or its manifest.json, or
        a file made by build --export); refuses when its files changed since the build.
  resume [RUN_ID] [--strict] [--json] [--verbose] [--project DIR]
        Run an interrupted or failed run again (default: the newest one). Sub-tasks and HTTP
        requests it completed come from its journal and are not made again; the first call
        that differs is reported, and from there the run is live (--strict: it stops).
  replay RUN_ID [--json] [--verbose] [--project DIR]
        Run a recorded run again offline: every sub-task result and HTTP response comes from
        its journal. Says whether it reproduced the recorded outcome, or where it diverged.
  serve --stdio
        Keep a warm sandbox pool and run requests from host code: JSON lines on stdin
        ({"id", "method": "run" | "runCode" | "cancel", "params"}), replies on stdout.
  worker --queue redis://HOST:PORT[/DB] [--concurrency N] [--files-root DIR] [--mount PATH=DIR]
         [--cache-dir DIR] [--grace SECONDS] [--heartbeat SECONDS]
        Take tasks from the queue and run them in this machine's sandboxes, with the limits and
        rights of their decorators in the shipped code. allowed_files paths must exist under
        --files-root (default: the current directory) or be mapped with --mount. SIGTERM stops
        taking tasks and hands back those still running after --grace (default 30 s).
  history [--limit N] [--json] [--clear] [--project DIR]
        Recent runs from the trace (.capsule/trace.db).

Options:
  -h, --help       this help
  -v, --version    the version

Exit codes: 0 success, 1 the task failed, 2 usage or configuration error.
Colour is used on a terminal; set NO_COLOR=1 to turn it off.`;
