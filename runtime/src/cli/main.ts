// Placeholder CLI entry: replaced by the engine-backed CLI (issue 5).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
const arg = process.argv[2];
if (arg === '--version') {
  console.log(pkg.version);
} else {
  console.log('usage: capsule <run|build|exec|history> [options]');
  process.exitCode = arg === '--help' || arg === undefined ? 0 : 2;
}
