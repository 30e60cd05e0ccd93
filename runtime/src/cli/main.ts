// Entry of dist/cli.js (`npx capsule`): runs the command line, sets the exit code.
import './tiering';
import './prestart';
import { main } from './cli';

main(process.argv.slice(2), { out: process.stdout, err: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`capsule: internal error: ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 1;
  },
);
