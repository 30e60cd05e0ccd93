// `npm run bench`: runs every bench/*.mjs module (each exports a default async
// function returning { title, rows, notes? }), each in its own process, and prints
// a table per module. Ratios are computed inside each module from runs in this process.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);

function printTable({ title, rows, notes }) {
  console.log(`\n## ${title}`);
  if (!rows?.length) return;
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : String(v ?? ''));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals) => `| ${vals.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(cols));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(cols.map((c) => cell(r[c]))));
  for (const n of notes ?? []) console.log(`- ${n}`);
}

// Shared code the modules import, not benchmarks themselves.
const HELPERS = new Set(['run.mjs', 'sandbox-api.mjs']);
const modules = readdirSync(here).filter((f) => f.endsWith('.mjs') && !HELPERS.has(f)).sort();
let failed = 0;
if (only.length === 0) {
  // Each module in a fresh process: one module's heap, workers and compiled code
  // must not skew the next one's timings (metering ratios moved from 1.25x to 1.66x).
  for (const f of modules) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), f], { stdio: 'inherit' });
    if (r.status !== 0) failed++;
  }
  process.exit(failed ? 1 : 0);
}
for (const f of modules) {
  if (!only.some((o) => f.includes(o))) continue;
  try {
    const mod = await import(pathToFileURL(join(here, f)).href);
    const result = await (mod.default ?? mod.run)();
    for (const table of Array.isArray(result) ? result : [result]) if (table) printTable(table);
  } catch (err) {
    failed++;
    console.error(`\n## ${f}: FAILED\n${err?.stack ?? err}`);
  }
}
process.exitCode = failed ? 1 : 0;
