// What the journal must never hold: a granted environment variable's value, a
// credential header's value, a secret in a URL's query. Values of granted
// variables are swapped for a marker naming the variable, and swapped back from
// the current environment when a call is replayed, so a replay stays exact
// without the secret ever being written.

/** Header names whose values are credentials (Authorization, Cookie, X-Api-Key, *-Token, ...). */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie)$|(^|-)(key|token|secret|signature|password)$/i;
/** Query parameters whose values are credentials (?api_key=, ?token=, ?sig=). */
const SECRET_PARAM = /(key|token|secret|password|passwd|sig|signature|auth)/i;
export const REDACTED = '[redacted]';

/** Values shorter than this are not searched for: "1" or "abc" would match ordinary text everywhere. */
export const MIN_SCRUBBED_LENGTH = 4;

export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = SECRET_HEADER.test(k) ? REDACTED : v;
  return out;
}

/** The URL as the journal shows it in reports: credential-like query values replaced. */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw.slice(0, 200);
  }
  for (const name of [...url.searchParams.keys()]) if (SECRET_PARAM.test(name)) url.searchParams.set(name, REDACTED);
  return url.href;
}

// Inside JSON string text: a NUL, which a JSON string can only hold escaped, then a
// tag. Text that already holds the prefix is escaped first ("lit-"), so every
// marker in the journal was put there by scrubSecrets, never by a task.
const PREFIX = '\\u0000capsule-';
const ESCAPED = `${PREFIX}lit-`;
const MARKER = /\\u0000capsule-env:([A-Za-z_][A-Za-z0-9_]*)\\u0000/g;

/**
 * The forms a value takes inside JSON text: as JSON.stringify writes it, and as
 * Python's json.dumps writes it by default (ensure_ascii), without the quotes.
 */
function jsonForms(value: string): string[] {
  const plain = JSON.stringify(value).slice(1, -1);
  const ascii = plain.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [...new Set([plain, ascii, value])];
}

/** JSON text with every granted value replaced by its variable's marker (longest values first). */
export function scrubSecrets(jsonText: string, secrets: ReadonlyMap<string, string>): string {
  const pairs = [...secrets].filter(([, v]) => v.length >= MIN_SCRUBBED_LENGTH).sort((a, b) => b[1].length - a[1].length);
  let out = jsonText.split(PREFIX).join(ESCAPED);
  for (const [name, value] of pairs) {
    for (const form of jsonForms(value)) if (form.length >= MIN_SCRUBBED_LENGTH) out = out.split(form).join(`${PREFIX}env:${name}\\u0000`);
  }
  return out;
}

export function hasSecretMarkers(jsonText: string): boolean {
  return jsonText.includes(`${PREFIX}env:`);
}

/** The markers put back as the variables' current values; a variable no longer set becomes "" and is named in `missing`. */
export function restoreSecrets(jsonText: string, current: ReadonlyMap<string, string>, missing: Set<string> = new Set()): string {
  if (!jsonText.includes(PREFIX)) return jsonText;
  const restored = jsonText.replace(MARKER, (_, name: string) => {
    const v = current.get(name);
    if (v === undefined) missing.add(name);
    return JSON.stringify(v ?? '').slice(1, -1);
  });
  return restored.split(ESCAPED).join(PREFIX);
}
