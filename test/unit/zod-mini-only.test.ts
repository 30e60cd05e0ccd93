// The CLI's bundle is compiled before a cold `capsule run` can start its sandbox:
// classic zod put 700 KB into dist/cli.js (~60 ms of compiling on these machines),
// zod/mini a fraction of that. So the shipped code imports zod/mini only.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';

const ROOT = join(__dirname, '..', '..');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(ts|mts|cts)$/.test(name)) out.push(p);
  }
  return out;
}

it('runtime, server and client code import zod/mini, never classic zod', () => {
  const files = ['runtime/src', 'server/src', 'client/src'].flatMap((d) => sources(join(ROOT, d)));
  assert.ok(files.length > 50, `only ${files.length} source files found`);
  const classic = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]zod(?:\/v4)?(?:\/index)?['"]/;
  const offenders = files.filter((f) => classic.test(readFileSync(f, 'utf8'))).map((f) => f.slice(ROOT.length + 1));
  assert.deepEqual(offenders, []);
});
