// Locates the package's files both from the bundles (dist/) and from the
// TypeScript sources (tests run through tsx).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as z from 'zod/mini';
import type { ArtifactPaths, Variant } from './types';

export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'runtime', 'artifacts'))) return dir;
    if (dirname(dir) === dir) throw new Error(`sandbox: cannot find the capsule package above ${from}`);
  }
}

/** CAPSULE_SANDBOX_ARTIFACTS points at another build's artifacts (CI tests a fresh rebuild that way). */
export function defaultArtifacts(root = packageRoot()): ArtifactPaths {
  const artifacts = process.env.CAPSULE_SANDBOX_ARTIFACTS || join(root, 'runtime', 'artifacts');
  return { genDir: join(artifacts, 'gen'), stdlibDir: join(artifacts, 'stdlib'), sdkDir: join(root, 'python-sdk') };
}

export function workerScript(root = packageRoot()): string {
  const file = join(root, 'dist', 'worker.js');
  if (!existsSync(file)) throw new Error(`sandbox: ${file} is missing; run \`npm run build\``);
  return file;
}

// Written by our own build, but read on every start: a stale or hand-edited file says so instead of failing deeper down.
const ModuleFiles = z.record(z.string(), z.string());
const GenManifestSchema = z.object({
  modules: z.object({ metered: ModuleFiles, unmetered: ModuleFiles }),
  // Memory images of modules whose data prepare.mjs took out (base-image.ts); absent from an older gen/.
  images: z.optional(z.object({ metered: ModuleFiles, unmetered: ModuleFiles })),
  sdkFingerprint: z.nullable(z.string()),
});
type GenManifest = z.output<typeof GenManifestSchema>;

/** gen/modules.json, written by runtime/build/prepare.mjs. */
export function genManifest(genDir: string): GenManifest {
  const manifest = join(genDir, 'modules.json');
  if (!existsSync(manifest)) {
    throw new Error(`sandbox: ${manifest} is missing; run \`node runtime/build/prepare.mjs\` (npm install does)`);
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch (e) {
    throw new Error(`sandbox: ${manifest} is not JSON (${(e as Error).message}); run \`node runtime/build/prepare.mjs\``);
  }
  const r = GenManifestSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`sandbox: ${manifest} is not a module manifest (${issue.path.join('.') || 'the file'}: expected ${issue.code === 'invalid_type' ? issue.expected : 'another value'}); run \`node runtime/build/prepare.mjs\``);
  }
  return r.data;
}

/** Core module files by the name the generated JS asks for, per variant, and the memory images of those that have one. */
export function coreModuleFiles(genDir: string, variant: Variant): { modules: Record<string, string>; images: Record<string, string> } {
  const manifest = genManifest(genDir);
  const paths = (files: Record<string, string>) => Object.fromEntries(Object.entries(files).map(([name, file]) => [name, join(genDir, file)]));
  return { modules: paths(manifest.modules[variant]), images: paths(manifest.images?.[variant] ?? {}) };
}
