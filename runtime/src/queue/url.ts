// The queue's address: redis://[USER:PASSWORD@]HOST[:PORT][/DB], as `capsule run --queue`,
// `capsule worker --queue`, capsule.toml's [queue] url and CAPSULE_QUEUE take it.
// No dependencies: capsule.toml's checker (the editor's too) uses it.

export interface QueueUrl {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  /** The address without its password, for messages. */
  shown: string;
}

export class QueueUrlError extends Error {
  /** What is wrong and what is accepted, without where the text came from. */
  constructor(message: string, readonly reason: string) {
    super(message);
  }
}

const ACCEPTED = 'expected redis://HOST:PORT[/DB] (e.g. redis://127.0.0.1:6379/0; DB is 0-15, a password goes in redis://:PASSWORD@HOST:PORT)';

export function parseQueueUrl(text: string, where = 'the queue URL'): QueueUrl {
  const bad = (why: string): never => {
    throw new QueueUrlError(`${where} "${text}": ${why}; ${ACCEPTED}`, `${why}; ${ACCEPTED}`);
  };
  if (typeof text !== 'string' || text.trim() === '') bad('it is empty');
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    return bad('it is not a URL');
  }
  if (u.protocol === 'rediss:') bad('TLS (rediss://) is not supported yet');
  if (u.protocol !== 'redis:') bad(`the scheme is "${u.protocol.replace(/:$/, '')}", not redis`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) bad('it names no host');
  const port = u.port === '' ? 6379 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) bad(`the port "${u.port}" is not 1-65535`);
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,2}$/.test(path)) bad(`"/${path}" is not a database number`);
  const db = path === '' ? 0 : Number(path);
  if (db > 15) bad(`database ${db} is past 15`);
  if (u.search || u.hash) bad('it has a query or a fragment');
  const username = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  return {
    host,
    port,
    db,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    shown: `redis://${u.hostname}:${port}/${db}`,
  };
}
