// The run details page: task and file, arguments, result, this run's own output, the error
// with its traceback, usage gauges against the limits, every attempt, and the timeline.
// Pure (no vscode): the panel passes the data and the webview's URIs. Every value from a
// task or a trace is escaped (escape.ts); the only script is the nonce'd bundle.
import type { OutputRecord } from '../../../runtime/src/trace/records';
import { clockTime, formatBytes, formatDuration, formatFuel } from '../runs/format';
import { shownAttempt } from '../../../runtime/src/engine/types';
import type { RunInfo } from '../runs/model';
import { OUTCOMES, errorDetail, outcomeOf, outcomeText, type Limits } from '../runs/outcome';
import { isProjectFrame, raisingFrame, type Frame } from '../runs/traceback';
import { runLabel, workerName, workersOf } from '../views/run-presentation';
import { html, raw, type Raw } from './escape';
import { timelineRows, timelineSvg } from './timeline';

export interface DetailsInput {
  run: RunInfo;
  get(id: string): RunInfo | undefined;
  /** The run's source line (0-based), when known. */
  line?: number;
  output?: OutputRecord;
  /** Limits from the trace, else the task's current decorator. */
  limits?: Limits & { maxRetries?: number };
  now?: number;
}

export interface PageEnv { nonce: string; cspSource: string; scriptUri: string; styleUri: string }

/** Pretty JSON of a JSON text; the text itself if it does not parse. */
export function prettyJson(text: string): string {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
}

function gauge(label: string, used: number | undefined, limit: number | null | undefined, fmt: (n: number) => string): Raw {
  if (used === undefined) return html``;
  const frac = limit ? Math.min(1, used / limit) : 0;
  const level = frac >= 1 ? 'over' : frac >= 0.8 ? 'high' : 'ok';
  const text = limit ? `${fmt(used)} / ${fmt(limit)}` : fmt(used);
  const pct = limit ? ` (${(100 * used / limit).toFixed(used / limit < 0.01 ? 2 : 0)}%)` : '';
  return html`<div class="gauge"><span class="gauge-label">${label}</span>
<svg class="gauge-bar" viewBox="0 0 200 10" preserveAspectRatio="none" aria-hidden="true"><rect class="gauge-track" x="0" y="0" width="200" height="10" rx="2"/><rect class="gauge-fill ${level}" x="0" y="0" width="${(200 * frac).toFixed(1)}" height="10" rx="2"/></svg>
<span class="gauge-value">${text}${pct}</span></div>`;
}

function frameLink(f: Frame, raising: boolean): Raw {
  const where = `${f.file}:${f.line}`;
  const own = isProjectFrame(f);
  return html`<li class="${raising ? 'frame raising' : own ? 'frame own' : 'frame'}">
${own ? html`<a href="#" data-action="openFrame" data-file="${f.file}" data-line="${f.line}">${where}</a>` : html`<span class="guest">${where}</span>`}
<span class="fn">in ${f.name}</span>${f.source ? html`<code class="src">${f.source}</code>` : ''}</li>`;
}

function section(title: string, body: Raw | string, cls = ''): Raw {
  return html`<section class="${cls}"><h2>${title}</h2>${typeof body === 'string' ? html`${body}` : body}</section>`;
}

function outputBlock(out: OutputRecord | undefined, running: boolean): Raw {
  if (!out) return html`<p class="muted">The output is read from the trace; none was found for this run.</p>`;
  if (out.chunks.length === 0) return html`<p class="muted">${running ? 'No output yet.' : 'This run printed nothing.'}</p>`;
  const chunks = out.chunks.map((c) => html`<span class="${c.stream}">${c.text}</span>`);
  const capped = out.droppedBytes > 0
    ? html`<p class="note">Kept the first ${formatBytes(out.capBytes)} of its output; ${formatBytes(out.droppedBytes)} more ${out.droppedBytes === 1 ? 'was' : 'were'} dropped.</p>`
    : html`<p class="muted">Up to ${formatBytes(out.capBytes)} of output is kept per run. <span class="stderr">stderr</span> is marked.</p>`;
  return html`<pre class="output" tabindex="0">${chunks}</pre>${capped}`;
}

export function renderDetails(input: DetailsInput, env: PageEnv): string {
  const { run } = input;
  const now = input.now ?? Date.now();
  const kind = outcomeOf(run);
  const look = OUTCOMES[kind];
  const running = kind === 'running';
  const limits = input.limits;
  const frames = run.error?.frames ?? [];
  const raising = raisingFrame(frames);
  const parent = run.parentId ? input.get(run.parentId) : undefined;
  const args = run.args;
  const argsBody = !args
    ? html`<p class="muted">Not recorded (runs from before arguments were kept).</p>`
    : args.args.length === 0 && Object.keys(args.kwargs).length === 0
      ? html`<p class="muted">No arguments.</p>`
      : html`<pre class="json">${JSON.stringify(Object.keys(args.kwargs).length === 0 ? args.args : args.args.length === 0 ? args.kwargs : args, null, 2)}</pre>`;
  const result = run.resultJson !== undefined
    ? html`<div class="actions"><button data-action="copyResult">Copy</button><button data-action="openResult">Open in editor</button></div><pre class="json result">${prettyJson(run.resultJson)}</pre>`
    : html`<p class="muted">${running ? 'Still running.' : kind === 'completed' ? 'The result was not kept (too large, or from an older trace).' : 'No result: the run did not complete.'}</p>`;
  const error = run.error && kind !== 'completed'
    ? section(look.word, html`<p class="error-text">${errorDetail(kind, run.error.message) || outcomeText(run)}</p>
${frames.length ? html`<ol class="frames">${frames.map((f) => frameLink(f, f === raising))}</ol>` : ''}
${run.error.traceback ? html`<details><summary>Full traceback</summary><pre class="traceback">${run.error.traceback}</pre></details>` : ''}`, `error o-${kind}`)
    : html``;
  // A queue run's attempts say which worker ran them (the id is trace text: escaped, cut).
  const onQueue = run.attempts.some((a) => a.worker);
  const attempts = run.attempts.length === 0 ? html`<p class="muted">It never started a sandbox.</p>` : html`<table class="attempts"><thead><tr><th>#</th><th>outcome</th><th>started</th><th>duration</th>${onQueue ? html`<th>worker</th>` : ''}<th>error</th></tr></thead><tbody>
${run.attempts.map((a) => html`<tr><td>${shownAttempt(a.number)}</td><td class="o-${outcomeOf(a)}">${a.endedAt === undefined ? 'running' : OUTCOMES[outcomeOf(a)].word}</td><td>${clockTime(a.startedAt)}</td><td>${a.endedAt !== undefined ? formatDuration(a.endedAt - a.startedAt) : formatDuration(now - a.startedAt)}</td>${onQueue ? html`<td class="worker">${a.worker ? workerName(a.worker) : ''}</td>` : ''}<td>${a.error ? errorDetail(outcomeOf(a), a.error.message) : ''}</td></tr>`)}
</tbody></table>`;
  const rows = timelineRows(run.runId, input.get);
  const csp = `default-src 'none'; img-src ${env.cspSource} data:; style-src ${env.cspSource}; font-src ${env.cspSource}; script-src 'nonce-${env.nonce}';`;
  const page = html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${env.styleUri}">
<title>${runLabel(run)}</title></head>
<body data-run="${run.id}">
<header>
<h1><span class="badge o-${kind}">${look.word}</span> <span class="call">${runLabel(run)}</span></h1>
<p class="where"><a href="#" data-action="openSource">${run.file}${input.line !== undefined ? `:${input.line + 1}` : ''}</a>
${parent ? html` · sub-task of <a href="#" data-action="openRun" data-id="${parent.id}">${runLabel(parent)}</a>` : ''}
· started ${new Date(run.createdAt).toLocaleString()}${onQueue ? html` · on queue worker${workersOf(run).length > 1 ? 's' : ''} <span class="worker">${workersOf(run).join(', ')}</span>` : ''} · run <code>${run.id}</code></p>
<div class="actions"><button data-action="rerun">Re-run</button>${running ? html`<button data-action="cancel">Cancel</button>` : ''}</div>
</header>
${error}
${section('Usage', html`<div class="gauges">
${gauge('fuel', run.fuelConsumed, limits?.fuel, formatFuel)}
${gauge('peak memory', run.peakMemoryBytes, limits?.memoryLimitBytes, formatBytes)}
${gauge('duration', running ? now - run.createdAt : run.durationMs, limits?.timeoutMs, formatDuration)}
</div>${limits ? '' : html`<p class="muted">Limits unknown for this run.</p>`}`)}
${section('Arguments', argsBody)}
${section('Result', result)}
${section('Output', outputBlock(input.output, running))}
${section(`Attempts (${run.attempts.length}${limits?.maxRetries ? ` of up to ${limits.maxRetries + 1}` : ''})`, attempts)}
${section('Timeline', rows.length ? html`${raw(timelineSvg(rows, run.id, now))}<p class="legend"><span class="key o-completed">completed</span><span class="key o-task_error">failed</span><span class="key o-timeout">timed out</span><span class="key o-cancelled">cancelled</span><span class="key wait">waiting for a sandbox</span> · click a row to open it</p>` : html`<p class="muted">No timeline.</p>`, 'timeline-section')}
<script nonce="${env.nonce}" src="${env.scriptUri}"></script>
</body></html>`;
  return page.text;
}
