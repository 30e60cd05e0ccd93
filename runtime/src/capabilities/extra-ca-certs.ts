// NODE_EXTRA_CA_CERTS, deferred to the first HTTPS request. Node 20 builds its whole
// root store at process start when that variable is set (the bundled roots plus the
// file's: ~55-95 ms of a cold `capsule run` on a machine whose variable names the
// system bundle), before any of our code runs. On POSIX an installed `capsule` starts
// through /bin/sh (bin/capsule.js's second line), which moves the variable to
// CAPSULE_DEFERRED_CA_CERTS so that node starts without it. The CLI's launcher puts it
// back for child processes (adoptDeferredCaCerts) and notes the file here; the first
// HTTPS request then builds the same trust node would have: its default store (bundled
// roots, or OpenSSL's with --use-openssl-ca) plus the file's certificates.
// Anything not started through that launcher (the extension host, the API, `node
// bin/capsule.js`) finds nothing noted: node loaded the file itself, fetch is unchanged.
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';

/** The variable bin/capsule.js's shell line moves NODE_EXTRA_CA_CERTS to. */
export const DEFERRED_VAR = 'CAPSULE_DEFERRED_CA_CERTS';
const NOTED = Symbol.for('capsule.deferredExtraCaCerts');

type Noted = { [NOTED]?: string };

/**
 * For the CLI's launcher, before anything else: NODE_EXTRA_CA_CERTS back in the
 * environment (child processes load it as before) and the file noted for
 * extraCaFetchInit(). When node was started with NODE_EXTRA_CA_CERTS itself, it has
 * loaded it: nothing is noted.
 */
export function adoptDeferredCaCerts(): void {
  const file = process.env[DEFERRED_VAR];
  delete process.env[DEFERRED_VAR];
  if (!file || process.env.NODE_EXTRA_CA_CERTS) return;
  process.env.NODE_EXTRA_CA_CERTS = file;
  (globalThis as Noted)[NOTED] = file;
}

/** The file whose certificates this process still has to add to its TLS trust, if any. */
export function deferredCaFile(): string | null {
  return (globalThis as Noted)[NOTED] ?? null;
}

type Dispatcher = NonNullable<RequestInit['dispatcher']>;
interface DispatcherClass {
  new (opts: { connect: { secureContext: unknown } }): Dispatcher;
}

let init: { dispatcher?: Dispatcher } | null = null;

/**
 * Extra fetch() options for an HTTPS request: none, unless the launcher deferred
 * NODE_EXTRA_CA_CERTS; then a dispatcher whose connections trust node's default
 * store plus the file's certificates, built once.
 */
export function extraCaFetchInit(): { dispatcher?: Dispatcher } {
  const file = deferredCaFile();
  if (!file) return {};
  init ??= { dispatcher: trustingDispatcher(file) };
  return init;
}

function trustingDispatcher(file: string): Dispatcher {
  // The context's store starts as node's default one; addCACert copies that store
  // and adds the file's certificates to the copy, as node does at start for the
  // variable (an unreadable file: node warns and keeps its defaults).
  const secure = createSecureContext() as unknown as { context: { addCACert(pem: string): void } };
  let pem: string | null = null;
  try {
    pem = readFileSync(file, 'latin1');
  } catch (err) {
    process.stderr.write(`Warning: Ignoring extra certs from \`${file}\`, load failed: ${(err as Error).message}\n`);
  }
  if (pem) secure.context.addCACert(pem);
  // fetch() is Node's own undici, whose Agent is not exported in Node 20: its global
  // dispatcher (made when undici loads; reading Headers loads it) is one.
  void globalThis.Headers;
  const Agent = (globalThis as Record<symbol, { constructor?: unknown } | undefined>)[Symbol.for('undici.globalDispatcher.1')]?.constructor;
  if (typeof Agent !== 'function') {
    throw new Error(`cannot apply NODE_EXTRA_CA_CERTS (${file}) to this Node's fetch; run the CLI as \`node bin/capsule.js\` so that node loads it itself`);
  }
  return new (Agent as DispatcherClass)({ connect: { secureContext: secure } });
}
