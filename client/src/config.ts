// The extension's settings: one zod schema with the defaults; the type comes from it.
// Ids follow `capsule.<section>.<key>`; package.json's `contributes.configuration`
// declares the same keys and defaults (checked by test/client/manifest.test.ts).
import { z } from 'zod';

export const settingsSchema = z.object({
  lens: z.object({
    /** Show "Run task" lenses above each @task. */
    enabled: z.boolean().default(true),
  }).default({ enabled: true }),
  run: z.object({
    /** At most this many task instances run at once; the rest wait. */
    maxConcurrent: z.number().int().min(1).max(64).default(4),
  }).default({ maxConcurrent: 4 }),
  history: z.object({
    /** How many runs the Task Runs view keeps (the oldest finished ones drop first). */
    retention: z.number().int().min(1).max(10000).default(200),
  }).default({ retention: 200 }),
  trace: z.object({
    /** Traces the JSON-RPC between VS Code and the Capsule language server. */
    server: z.enum(['off', 'messages', 'verbose']).default('off'),
  }).default({ server: 'off' }),
});

export type Settings = z.infer<typeof settingsSchema>;

/** The flat setting ids, e.g. `capsule.run.maxConcurrent`, with their defaults. */
export function settingDefaults(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const defaults = settingsSchema.parse({});
  for (const [section, values] of Object.entries(defaults)) {
    for (const [key, value] of Object.entries(values)) out[`capsule.${section}.${key}`] = value;
  }
  return out;
}

/**
 * Reads the settings through a getter (vscode's `WorkspaceConfiguration.get` in the host,
 * a plain map in tests). An invalid value falls back to its default and is reported,
 * so one bad setting never stops the extension.
 */
export function readSettings(get: (id: string) => unknown): { settings: Settings; problems: string[] } {
  const problems: string[] = [];
  const raw: Record<string, Record<string, unknown>> = {};
  const defaults = settingsSchema.parse({});
  for (const [section, values] of Object.entries(defaults)) {
    raw[section] = {};
    for (const key of Object.keys(values)) {
      const value = get(`capsule.${section}.${key}`);
      if (value === undefined) continue;
      const field = (settingsSchema.shape as Record<string, z.ZodType>)[section];
      const probe = field.safeParse({ ...values, [key]: value });
      if (probe.success) raw[section][key] = value;
      else problems.push(`Setting capsule.${section}.${key} = ${JSON.stringify(value)} is invalid (${probe.error.issues[0]?.message ?? 'bad value'}); using ${JSON.stringify((values as Record<string, unknown>)[key])}.`);
    }
  }
  return { settings: settingsSchema.parse(raw), problems };
}
