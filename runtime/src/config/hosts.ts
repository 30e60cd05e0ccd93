// allowed_hosts: how an entry is checked when written, and how a request's host is
// matched at run time. Deny by default; "*" allows all; "example.com" allows itself and
// its subdomains; "*.example.com" allows exactly one extra label. A name of one label
// ("localhost", "com") matches only itself: "com" must not allow every .com host. An IP
// address ("10.0.0.1", "::1" or "[::1]") is written in full and matches only itself.
// A trailing dot ("example.com.") is the same name, so it is dropped before every check.
import { strip } from './spaces';
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

export type HostCheck = { ok: true } | { ok: false; error: string; fix?: string };

/** Checks one allowed_hosts entry; a fix, when given, is the entry to write instead. */
export function checkHostEntry(entry: string): HostCheck {
  if (entry === '*') return { ok: true };
  if (strip(entry) === '') return { ok: false, error: 'allowed_hosts entry is empty; write a host name such as "api.example.com", or "*" for all hosts' };
  if (entry !== strip(entry)) return { ok: false, error: `allowed_hosts entry "${entry}" has surrounding spaces`, fix: strip(entry) };
  if (ipLiteral(entry)) return { ok: true };
  const parts = splitUrlish(entry);
  const extras: string[] = [];
  if (parts.scheme) extras.push(parts.scheme === '//' ? 'a "//" prefix' : `a scheme ("${parts.scheme}")`);
  if (parts.userinfo) extras.push(`user info ("${parts.userinfo}@")`);
  if (parts.port) extras.push(`a port (":${parts.port}")`);
  if (parts.path) extras.push(`a path ("${parts.path}")`);
  if (extras.length) {
    // Suggest the host only when it is one the check accepts (or its fix, "例え.jp" in ASCII).
    const host = parts.host.toLowerCase();
    const check = host ? checkHostEntry(host) : undefined;
    const fix = check?.ok ? host : check?.fix;
    const advice = fix ? `; hosts are matched by name alone, write "${fix}"` : host ? '; hosts are matched by name alone' : ' and names no host';
    return { ok: false, error: `allowed_hosts entry "${entry}" has ${joinAnd(extras)}, so it never matches${advice}`, ...(fix ? { fix } : {}) };
  }
  return checkHostName(entry);
}

function checkHostName(host: string): HostCheck {
  // "*.com." is "*.com": the dot must not count as a label and let a wildcard through.
  const labels = (host.length > 1 && host.endsWith('.') ? host.slice(0, -1) : host).split('.');
  const wildcardHelp = 'a wildcard is "*" alone or a whole first label, as in "*.example.com"';
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label.includes('*')) {
      if (label !== '*' || i !== 0) return { ok: false, error: `allowed_hosts entry "${host}" has a bad wildcard; ${wildcardHelp}` };
      if (labels.length < 3) return { ok: false, error: `allowed_hosts entry "${host}" is too broad a wildcard; ${wildcardHelp} (use "*" to allow every host)` };
      continue;
    }
    if (!LABEL.test(label)) {
      // An international name is matched in its ASCII form, the one a request's URL has.
      const ascii = /[^\x00-\x7f]/.test(host) ? domainToASCII(host) : '';
      const fix = ascii && checkHostName(ascii).ok ? ascii : undefined;
      return { ok: false, error: `allowed_hosts entry "${host}" is not a valid host name: labels are letters, digits and "-", separated by "."${fix ? `; write its ASCII form "${fix}"` : ''}`, ...(fix ? { fix } : {}) };
    }
  }
  // No top-level domain is all digits: "1.1" or "*.0.0.1" is a piece of an IP address,
  // and matching it as a suffix would allow every address that ends that way.
  const last = labels[labels.length - 1] ?? '';
  if (/^\d+$/.test(last)) {
    return { ok: false, error: `allowed_hosts entry "${host}" looks like part of an IP address; write the whole address, e.g. "10.0.0.1" or "::1", which matches only itself` };
  }
  return { ok: true };
}

/** The canonical form of an IP address entry or host ("[::1]" -> "::1"), or null for a name. */
function ipLiteral(text: string): string | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const v = bare.includes('%') ? 0 : isIP(bare); // a zone ("%eth0") names the host's own interface
  if (v === 0) return null;
  // The URL parser's own canonical form, the one a request's host arrives in.
  return new URL(`http://${v === 6 ? `[${bare}]` : bare}/`).hostname.replace(/^\[|\]$/g, '');
}

/** Deny by default. Entries that fail checkHostEntry never match. */
export function hostAllowed(host: string, allowedHosts: string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  const ip = ipLiteral(h);
  for (const raw of allowedHosts) {
    if (!checkHostEntry(raw).ok) continue;
    const entry = raw.toLowerCase().replace(/\.$/, '');
    if (entry === '*') return true;
    const entryIp = ipLiteral(entry);
    // IP addresses match exactly: never a suffix of one, nor a name ending in one.
    if (ip !== null || entryIp !== null) {
      if (ip !== null && ip === entryIp) return true;
      continue;
    }
    if (entry.startsWith('*.')) {
      const base = entry.slice(2);
      if (h.endsWith(`.${base}`) && !h.slice(0, -base.length - 1).includes('.')) return true;
    } else if (h === entry || (entry.includes('.') && h.endsWith(`.${entry}`))) {
      return true;
    }
  }
  return false;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** A web scheme mistyped ("http:/x", "https//x", "https:///x") or left out ("//x"): the host is what follows. */
const MISTYPED_SCHEME = /^(?:(?:https?|wss?|ftp)(?::\/?(?!\/)|:\/{3,}|\/\/)|\/\/)/i;

interface UrlParts { scheme?: string; userinfo?: string; host: string; port?: string; path?: string }

// Not `new URL`: it rewrites what the user wrote (adds "/", lowercases, drops default ports),
// and the message should quote the user's own text.
function splitUrlish(entry: string): UrlParts {
  let rest = entry;
  const out: UrlParts = { host: '' };
  const scheme = MISTYPED_SCHEME.exec(rest) ?? SCHEME.exec(rest);
  if (scheme) {
    out.scheme = scheme[0];
    rest = rest.slice(scheme[0].length);
  }
  const slash = rest.search(/[/?#]/);
  if (slash >= 0) {
    out.path = rest.slice(slash);
    rest = rest.slice(0, slash);
  }
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    out.userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  const port = /:(\d*)$/.exec(rest);
  if (port) {
    out.port = port[1]!;
    rest = rest.slice(0, port.index);
  }
  out.host = rest;
  return out;
}

function joinAnd(xs: string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}
