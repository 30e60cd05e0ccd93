// The host side of a task's HTTP: the sandbox has no sockets, so every request
// comes here, is checked against the task's allowed_hosts (on the first URL and on
// every redirect hop, before any packet leaves), and is recorded.
import { hostAllowed } from '../config/schema';
import { extraCaFetchInit } from './extra-ca-certs';

export interface GuestHttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** Request body, base64 (bytes cross the boundary as JSON). */
  bodyBase64?: string;
  timeoutMs?: number;
}

export interface GuestHttpResponse {
  status: number;
  reason: string;
  headers: Record<string, string>;
  bodyBase64: string;
  /** The URL of the last hop, after redirects. */
  url: string;
}

export interface HostRequestRecord {
  method: string;
  url: string;
  status: number | null;
  duration_ms: number;
  error?: string;
  /** Answered from the run's journal (a resume or a replay), not sent. */
  replayed?: boolean;
}

export interface HttpGateOptions {
  taskName: string;
  allowedHosts: string[];
  /** Cap on one request's total time; the engine passes min(default, time left in the task). */
  timeoutMs?: number;
  maxResponseBytes?: number;
  maxRedirects?: number;
}

/** An error the guest turns into a Python exception of the named class. */
export class GuestError extends Error {
  constructor(readonly pythonType: 'PermissionError' | 'TimeoutError' | 'ValueError' | 'ConnectionError' | 'OSError', message: string) {
    super(message);
  }
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export class HttpGate {
  readonly records: HostRequestRecord[] = [];
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly maxRedirects: number;

  constructor(private readonly opts: HttpGateOptions) {
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.maxResponseBytes = opts.maxResponseBytes ?? 10 * 1024 * 1024;
    this.maxRedirects = opts.maxRedirects ?? 5;
  }

  /** Checks a URL against the grants; throws the guest-facing error when denied. */
  check(rawUrl: string): URL {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new GuestError('ValueError', `capsule.http: invalid URL ${JSON.stringify(rawUrl)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new GuestError('ValueError', `capsule.http: unsupported scheme "${url.protocol.slice(0, -1)}" in ${JSON.stringify(rawUrl)}; only http and https are supported`);
    }
    if (url.username || url.password) {
      // "http://allowed.com@evil.com" goes to evil.com; credentials in URLs are refused outright.
      throw new GuestError('PermissionError', `capsule.http: URLs with credentials ("user@host") are refused; the request would go to "${url.hostname}". Send credentials in a header instead`);
    }
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (!hostAllowed(host, this.opts.allowedHosts)) {
      throw new GuestError(
        'PermissionError',
        `capsule.http: request to "${host}" denied: task "${this.opts.taskName}" does not allow this host. ` +
          `To allow it, add it to the decorator: @task(..., allowed_hosts=["${host}"])`,
      );
    }
    return url;
  }

  async request(req: GuestHttpRequest): Promise<GuestHttpResponse> {
    const method = String(req.method ?? 'GET').toUpperCase();
    if (!METHODS.has(method)) throw new GuestError('ValueError', `capsule.http: unsupported method "${req.method}"; use one of ${[...METHODS].join(', ')}`);
    const started = performance.now();
    const record: HostRequestRecord = { method, url: String(req.url), status: null, duration_ms: 0 };
    this.records.push(record);
    const timeoutMs = Math.min(req.timeoutMs ?? this.timeoutMs, this.timeoutMs);
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      let url = this.check(String(req.url));
      let body: Buffer | undefined = req.bodyBase64 ? Buffer.from(req.bodyBase64, 'base64') : undefined;
      let currentMethod = method;
      for (let hop = 0; ; hop++) {
        // extraCaFetchInit: NODE_EXTRA_CA_CERTS's CAs when the CLI's launcher deferred them.
        const init: RequestInit = { method: currentMethod, headers: req.headers, body, redirect: 'manual', signal, ...extraCaFetchInit() };
        const res = await fetch(url, init);
        const location = res.headers.get('location');
        if (REDIRECTS.has(res.status) && location) {
          await res.body?.cancel();
          if (hop >= this.maxRedirects) throw new GuestError('ConnectionError', `capsule.http: more than ${this.maxRedirects} redirects from ${req.url}`);
          url = this.check(new URL(location, url).href);
          if (res.status === 303 || ((res.status === 301 || res.status === 302) && currentMethod === 'POST')) {
            currentMethod = 'GET';
            body = undefined;
          }
          continue;
        }
        const bytes = await readCapped(res, this.maxResponseBytes);
        record.status = res.status;
        record.url = url.href;
        return {
          status: res.status,
          reason: res.statusText,
          headers: Object.fromEntries(res.headers),
          bodyBase64: bytes.toString('base64'),
          url: url.href,
        };
      }
    } catch (err) {
      const guest = toGuestError(err, timeoutMs, String(req.url));
      record.error = guest.message;
      throw guest;
    } finally {
      record.duration_ms = Math.round(performance.now() - started);
    }
  }
}

async function readCapped(res: Response, cap: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  if (!res.body) return Buffer.alloc(0);
  for await (const chunk of res.body) {
    total += chunk.byteLength;
    if (total > cap) {
      await res.body.cancel().catch(() => undefined);
      throw new GuestError('OSError', `capsule.http: response from ${res.url || 'the server'} exceeds the ${cap}-byte limit`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** OpenSSL's verification failures that mean "no trusted CA issued this chain". */
const TLS_TRUST = /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_UNTRUSTED)$/;

function toGuestError(err: unknown, timeoutMs: number, url: string): GuestError {
  if (err instanceof GuestError) return err;
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new GuestError('TimeoutError', `capsule.http: request to ${url} timed out after ${timeoutMs} ms`);
  }
  const detail = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  if (e?.cause?.code && TLS_TRUST.test(e.cause.code)) {
    return new GuestError(
      'ConnectionError',
      `capsule.http: request to ${url} failed: the server's TLS certificate is not trusted (${e.cause.code}: ${e.cause.message}). ` +
        'A private CA is trusted when its certificate is in the file NODE_EXTRA_CA_CERTS names',
    );
  }
  return new GuestError('ConnectionError', `capsule.http: request to ${url} failed: ${detail}`);
}
