// The extension's settings: one zod schema with the defaults; the type comes from it.
// Ids follow `capsule.<section>.<key>`; package.json's `contributes.configuration`
// declares the same keys and defaults (checked by test/client/manifest.test.ts).
// zod/mini, not zod: the full build adds about 40 ms to the extension's load.
import * as z from 'zod/mini';
import { parseQueueUrl, QueueUrlError } from '../../runtime/src/queue/url';

/** What is accepted: a fixed text ("an integer from 1 to 64"), or what is wrong with this value. */
type Accepted = string | ((raw: unknown) => string);
const setting = <T extends z.ZodMiniType>(schema: T, value: z.output<T>, accepted: Accepted) => ({ schema, value, accepted });

/** Why a queue URL setting is refused (the runtime's own check), or undefined when it is fine. */
export function queueUrlProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return 'expected a text: empty, or redis://HOST:PORT[/DB]';
  if (raw.trim() === '') return undefined;
  try {
    parseQueueUrl(raw);
    return undefined;
  } catch (e) {
    if (e instanceof QueueUrlError) return e.reason;
    throw e;
  }
}

/** Every setting: its schema, default, and what is accepted (for the warning on a bad value). */
const SETTINGS = {
  lens: {
    /** Show "Run task" lenses above each @task. */
    enabled: setting(z.boolean(), true, 'true or false'),
  },
  run: {
    /** At most this many task instances run at once; the rest wait. */
    maxConcurrent: setting(z.int().check(z.minimum(1), z.maximum(64)), 4, 'an integer from 1 to 64'),
  },
  history: {
    /** How many runs the Task Runs view and the trace keep (the oldest finished ones drop first). */
    retention: setting(z.int().check(z.minimum(1), z.maximum(10000)), 200, 'an integer from 1 to 10000'),
  },
  notifications: {
    /** Pop-up messages when a run you started fails (the status bar and the view badge always say). */
    toasts: setting(z.boolean(), true, 'true or false'),
  },
  queue: {
    /** The Redis of a Capsule queue: set, each task gets a "Run on queue" lens (workers are started outside VS Code). */
    url: setting(z.string().check(z.refine((v) => queueUrlProblem(v) === undefined)), '', (raw) => queueUrlProblem(raw) ?? ''),
  },
  trace: {
    /** Traces the JSON-RPC between VS Code and the Capsule language server. */
    server: setting(z.enum(['off', 'messages', 'verbose']), 'off', '"off", "messages" or "verbose"'),
  },
};

type Section = typeof SETTINGS;
export type Settings = { [S in keyof Section]: { [K in keyof Section[S]]: Section[S][K] extends { value: infer V } ? V : never } };

type Entry = { schema: z.ZodMiniType; value: unknown; accepted: Accepted };

function entries(): [string, string, Entry][] {
  return Object.entries(SETTINGS).flatMap(([section, keys]) =>
    Object.entries(keys).map(([key, s]) => [section, key, s as Entry] as [string, string, Entry]));
}

/** The flat setting ids, e.g. `capsule.run.maxConcurrent`, with their defaults. */
export function settingDefaults(): Record<string, unknown> {
  return Object.fromEntries(entries().map(([section, key, s]) => [`capsule.${section}.${key}`, s.value]));
}

/**
 * Reads the settings through a getter (vscode's `WorkspaceConfiguration.get` in the host,
 * a plain map in tests). An invalid value falls back to its default and is reported,
 * so one bad setting never stops the extension.
 */
export function readSettings(get: (id: string) => unknown): { settings: Settings; problems: string[] } {
  const problems: string[] = [];
  const out: Record<string, Record<string, unknown>> = {};
  for (const [section, key, s] of entries()) {
    const id = `capsule.${section}.${key}`;
    const raw = get(id);
    let value = s.value;
    if (raw !== undefined) {
      if (s.schema.safeParse(raw).success) value = raw;
      else problems.push(`Setting ${id} = ${JSON.stringify(raw)} is invalid: ${typeof s.accepted === 'string' ? `expected ${s.accepted}` : s.accepted(raw)}; using ${JSON.stringify(s.value)}.`);
    }
    (out[section] ??= {})[key] = value;
  }
  return { settings: out as Settings, problems };
}
