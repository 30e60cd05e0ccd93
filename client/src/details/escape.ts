// Escaping for the details view. Everything a task or a trace file gives is hostile input:
// each string goes through one of these before it reaches the webview's HTML.

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Text for an element's content or a quoted attribute value. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => HTML[c]!);
}

/** Builds HTML from a template: interpolated values are escaped unless wrapped by `raw`. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Raw(out);
}

export class Raw {
  constructor(readonly text: string) {}
  toString(): string { return this.text; }
}

/** Marks markup built by `html` (or by code that escaped it) as safe to insert. */
export const raw = (text: string): Raw => new Raw(text);

function render(v: unknown): string {
  if (v instanceof Raw) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === undefined || v === null || v === false) return '';
  return esc(v);
}
