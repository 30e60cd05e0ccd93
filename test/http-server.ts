// A real HTTP server on loopback for the tests that make requests (the HTTP gate,
// capsule.http, urllib through the gate, the escape suite): no network beyond it.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  port: number;
  /** http://127.0.0.1:PORT */
  base: string;
  /** Every request, as "METHOD /path?query", in arrival order. */
  hits: string[];
  close(): Promise<void>;
}

/** Each request's body is read before `handle` runs; a port the OS picks. */
export async function loopbackServer(handle: (req: IncomingMessage, res: ServerResponse, body: string, server: LoopbackServer) => void): Promise<LoopbackServer> {
  const hits: string[] = [];
  const self = { port: 0, base: '', hits, close: () => new Promise<void>((r) => server.close(() => r())) };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hits.push(`${req.method} ${req.url}`);
      handle(req, res, body, self);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  self.port = (server.address() as AddressInfo).port;
  self.base = `http://127.0.0.1:${self.port}`;
  return self;
}

/** The echo the task tests read back: JSON {method, url, task (the x-task header), body}. */
export function echo(req: IncomingMessage, res: ServerResponse, body: string): void {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ method: req.method, url: req.url, task: req.headers['x-task'] ?? null, body }));
}
