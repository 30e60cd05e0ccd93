// `capsule run` and `capsule exec` start their sandbox worker here, before the
// rest of the CLI loads (main.ts imports this module second, after tiering.ts,
// whose budget the worker's compile takes): a worker needs ~60-200 ms on these
// machines to boot and compile before it can take the task, and the CLI's own
// start-up (its modules, the arguments, the project's config, the task file's
// parse) runs meanwhile. The engine's pool takes this worker as its first
// spare (sandbox/pool.ts). Any other command, or a run that stops before its
// task (a usage or config error), leaves it idle: it does not keep the
// process alive.
import { prestartSandbox } from '../sandbox/worker-boot';

const [command, ...rest] = process.argv.slice(2);
if ((command === 'run' || command === 'exec') && !rest.includes('--help') && !rest.includes('-h')) {
  try {
    prestartSandbox();
  } catch {
    // No package root above the bundle: the engine's pool meets the same problem and reports it.
  }
}
