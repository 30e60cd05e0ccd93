// The details view's only script (bundled to dist/details.js, loaded with the page's nonce):
// it turns clicks and Enter on `data-action` elements into messages for the extension,
// which validates them. It reads no page text and writes no HTML.
// The project type-checks without the DOM library: the little used here is declared.
interface El { closest(selector: string): El | null; matches(selector: string): boolean; dataset: Record<string, string | undefined> }
interface Ev { target: unknown; key?: string; preventDefault(): void }
declare const document: { addEventListener(type: 'click' | 'keydown', listener: (e: Ev) => void): void };
declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

const api = acquireVsCodeApi();
const isEl = (x: unknown): x is El => !!x && typeof (x as El).closest === 'function';

function send(target: unknown, event: Ev): void {
  const el = isEl(target) ? target.closest('[data-action]') : null;
  if (!el) return;
  event.preventDefault();
  const d = el.dataset;
  api.postMessage({ action: d.action, id: d.id, file: d.file, line: d.line === undefined ? undefined : Number(d.line) });
}

document.addEventListener('click', (e) => send(e.target, e));
document.addEventListener('keydown', (e) => {
  if ((e.key === 'Enter' || e.key === ' ') && isEl(e.target) && e.target.matches('[data-action]:not(a):not(button)')) send(e.target, e);
});
