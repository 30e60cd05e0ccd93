// The run's timeline as SVG: one row per instance (parents above their sub-tasks), its
// attempts as bars on a shared time axis, coloured by outcome (CSS classes the stylesheet
// maps to the theme's colours); the wait for a sandbox is a thin line. Click a row to open
// that instance. Pure: text in, SVG text out, every string escaped.
import { shownAttempt } from '../../../runtime/src/engine/types';
import type { RunInfo } from '../runs/model';
import { outcomeOf, type OutcomeKind } from '../runs/outcome';
import { formatDuration } from '../runs/format';
import { runLabel } from '../views/run-presentation';
import { esc } from './escape';

export interface TimelineRow {
  id: string;
  depth: number;
  label: string;
  outcome: OutcomeKind;
  createdAt: number;
  endedAt?: number;
  attempts: Array<{ number: number; start: number; end?: number; outcome: OutcomeKind }>;
}

/** Rows of a run, depth first: each instance, then its sub-tasks in start order. */
export function timelineRows(rootId: string, get: (id: string) => RunInfo | undefined, maxRows = 200): TimelineRow[] {
  const rows: TimelineRow[] = [];
  const visit = (id: string, depth: number) => {
    const run = get(id);
    if (!run || rows.length >= maxRows) return;
    rows.push({
      id: run.id,
      depth,
      label: runLabel(run),
      outcome: outcomeOf(run),
      createdAt: run.createdAt,
      endedAt: run.endedAt,
      attempts: run.attempts.map((a) => ({ number: a.number, start: a.startedAt, end: a.endedAt, outcome: outcomeOf(a) })),
    });
    for (const c of run.children) visit(c, depth + 1);
  };
  visit(rootId, 0);
  return rows;
}

const ROW = 24;
const LABEL_W = 220;
const WIDTH = 900;
const AXIS = 26;

/** Round tick steps (ms) for an axis of `span` ms: about 5 ticks. */
function tickStep(span: number): number {
  const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000];
  return steps.find((s) => span / s <= 6) ?? 3_600_000;
}

export function timelineSvg(rows: readonly TimelineRow[], selectedId: string, now = Date.now()): string {
  if (rows.length === 0) return '';
  const t0 = Math.min(...rows.map((r) => r.createdAt));
  const ends = rows.flatMap((r) => [r.endedAt ?? now, ...r.attempts.map((a) => a.end ?? now)]);
  const span = Math.max(1, Math.max(...ends) - t0);
  const plotW = WIDTH - LABEL_W - 10;
  const x = (t: number) => LABEL_W + ((t - t0) / span) * plotW;
  const height = AXIS + rows.length * ROW + 4;
  const parts: string[] = [];
  parts.push(`<svg class="timeline" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="Timeline of the run: ${rows.length} instance${rows.length === 1 ? '' : 's'} over ${esc(formatDuration(span))}" xmlns="http://www.w3.org/2000/svg">`);
  const step = tickStep(span);
  for (let t = 0; t <= span + 1e-9; t += step) {
    const tx = x(t0 + t);
    parts.push(`<line class="tick" x1="${tx.toFixed(1)}" y1="${AXIS - 6}" x2="${tx.toFixed(1)}" y2="${height}"/>`);
    parts.push(`<text class="tick-label" x="${tx.toFixed(1)}" y="${AXIS - 10}" text-anchor="middle">${esc(t === 0 ? '0' : formatDuration(t))}</text>`);
  }
  rows.forEach((r, i) => {
    const y = AXIS + i * ROW;
    const selected = r.id === selectedId ? ' selected' : '';
    parts.push(`<g class="row${selected}" data-action="openRun" data-id="${esc(r.id)}" tabindex="0" role="button" aria-label="${esc(`${r.label}: ${r.outcome.replace(/_/g, ' ')}`)}">`);
    parts.push(`<rect class="row-bg" x="0" y="${y}" width="${WIDTH}" height="${ROW}"/>`);
    const label = r.label.length > 30 - r.depth * 2 ? `${r.label.slice(0, 29 - r.depth * 2)}…` : r.label;
    parts.push(`<text class="row-label" x="${6 + r.depth * 12}" y="${y + ROW / 2 + 4}">${esc(label)}</text>`);
    // Waiting for a sandbox: from creation to the first attempt (or the end, if it never ran).
    const firstStart = r.attempts[0]?.start ?? r.endedAt ?? now;
    if (firstStart > r.createdAt) {
      parts.push(`<line class="wait" x1="${x(r.createdAt).toFixed(1)}" y1="${y + ROW / 2}" x2="${x(firstStart).toFixed(1)}" y2="${y + ROW / 2}"/>`);
    }
    for (const a of r.attempts) {
      const x1 = x(a.start);
      const w = Math.max(2, x(a.end ?? now) - x1);
      const title = `${r.label} · attempt ${shownAttempt(a.number)}: ${a.outcome.replace(/_/g, ' ')} · ${formatDuration((a.end ?? now) - a.start)}`;
      parts.push(`<rect class="bar o-${a.outcome}" x="${x1.toFixed(1)}" y="${y + 5}" width="${w.toFixed(1)}" height="${ROW - 10}" rx="2"><title>${esc(title)}</title></rect>`);
    }
    if (r.attempts.length === 0 && r.endedAt !== undefined) {
      parts.push(`<rect class="bar o-${r.outcome}" x="${x(r.endedAt).toFixed(1)}" y="${y + 5}" width="2" height="${ROW - 10}"><title>${esc(`${r.label}: ${r.outcome.replace(/_/g, ' ')} before it ran`)}</title></rect>`);
    }
    parts.push('</g>');
  });
  parts.push('</svg>');
  return parts.join('');
}
