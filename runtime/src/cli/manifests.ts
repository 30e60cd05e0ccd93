// The JSON files `capsule build` writes and `capsule build`/`capsule exec` read back:
// a build's manifest.json, .capsule/build/latest.json, and an export's manifest. They
// are files on disk (an export comes from elsewhere), so each is parsed, never cast.
import * as z from 'zod/mini';
import type { TaskConfig } from '../config/schema';

const sha256 = z.string().check(z.regex(/^[0-9a-f]{64}$/));

export const BuildManifestSchema = z.object({
  format: z.literal(1),
  fingerprint: z.string(),
  projectRoot: z.string(),
  entry: z.string(),
  builtAt: z.string(),
  capsuleVersion: z.string(),
  /** The project's sources (relative paths), then its package files (guest paths, /capsule/...). */
  files: z.array(z.object({ path: z.string(), sha256 })),
  // A task's config is re-resolved from the checked sources when it runs; kept here for the record.
  tasks: z.array(z.object({ name: z.string(), functionName: z.string(), isAsync: z.boolean(), config: z.custom<TaskConfig>((v) => typeof v === 'object' && v !== null && !Array.isArray(v)) })),
  /** What the build made to start runs warm (the import snapshot, or why there is none). */
  snapshot: z.optional(z.string()),
});

/** Entry file (project-relative) -> the build folder of its latest build. */
export const LatestBuildsSchema = z.record(z.string(), z.string());

export const ExportManifestSchema = z.object({
  format: z.literal(1),
  entry: z.string(),
  fingerprint: z.string(),
  capsuleVersion: z.string(),
  tasks: z.array(z.string()),
  files: z.array(z.object({ path: z.string(), size: z.number().check(z.int(), z.nonnegative()), sha256 })),
});

/** The value, or a sentence saying which field is wrong (for the caller's message). */
export function parseManifest<S extends z.ZodMiniType>(schema: S, value: unknown): { ok: true; value: z.output<S> } | { ok: false; why: string } {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'the file';
  return { ok: false, why: `${field}: ${issue.code === 'invalid_type' ? `expected ${issue.expected}` : issue.code === 'invalid_value' ? 'unknown value' : 'out of range'}` };
}
