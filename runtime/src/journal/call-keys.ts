// What identifies a call for the journal: a sub-task by its task, file and
// arguments; an HTTP request by its method, URL and body (RFC-style: headers vary
// between runs, tokens expire). The call's text is what a divergence report shows.
import { sha256 } from './blobs';
import { redactUrl, scrubSecrets } from './redact';
import { toExactJson } from '../values/exact-json';

export interface CallKey {
  hash: string;
  call: string;
}

export function taskCallKey(req: { task: string; file: string; args: unknown[]; kwargs: Record<string, unknown> }, secrets: ReadonlyMap<string, string>): CallKey {
  const args = toExactJson(req.args, 'the sub-task arguments');
  const kwargs = toExactJson(req.kwargs, 'the sub-task keyword arguments');
  const hash = sha256(JSON.stringify(['task', req.file, req.task, args, kwargs]));
  const shown = `${args.slice(1, -1)}${kwargs === '{}' ? '' : `${args === '[]' ? '' : ', '}**${kwargs}`}`;
  const call = scrubSecrets(`task "${req.task}"${req.file ? ` in ${req.file}` : ''}(${shown.length > 300 ? `${shown.slice(0, 300)}...` : shown})`, secrets);
  return { hash, call };
}

export function httpCallKey(req: { method: string; url: string; bodyBase64?: string | undefined }, secrets: ReadonlyMap<string, string>): CallKey {
  const method = req.method.toUpperCase();
  const hash = sha256(JSON.stringify(['http', method, req.url, req.bodyBase64 ?? '']));
  return { hash, call: scrubSecrets(`${method} ${redactUrl(req.url)}`, secrets) };
}
