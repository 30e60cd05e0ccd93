// The language server's entry: JSON-RPC over stdio or node IPC (vscode-languageserver
// reads --node-ipc, --socket, --pipe from argv; --stdio is set up here, so that a
// document's diagnostics are written from JSON kept per diagnostic, and each message in
// one write: stdio-writer.ts). Only the protocol may use stdout, so console output goes
// to the client's log.
import { createConnection, ProposedFeatures, StreamMessageReader } from 'vscode-languageserver/node';
import { CapsuleServer } from './capsule-server';
import { ShutdownGate } from './shutdown-gate';
import { StdioMessageWriter } from './stdio-writer';

const stdio = process.argv.includes('--stdio');
const gate = new ShutdownGate();
const options = { messageStrategy: gate };
const connection = stdio
  ? createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StdioMessageWriter(process.stdout), options)
  : createConnection(ProposedFeatures.all, options);
gate.register(connection);
console.log = (...a: unknown[]) => connection.console.log(a.map(String).join(' '));
console.info = (...a: unknown[]) => connection.console.info(a.map(String).join(' '));
console.warn = (...a: unknown[]) => connection.console.warn(a.map(String).join(' '));
console.error = (...a: unknown[]) => connection.console.error(a.map(String).join(' '));

// The library exits when its input stream ends, but only when given the stream itself:
// the same here (0 after `shutdown`, as LSP says, else 1).
if (stdio) for (const event of ['end', 'close']) process.stdin.on(event, () => process.exit(gate.shutDown ? 0 : 1));

connection.onInitialize(async (params) => {
  const server = await CapsuleServer.initialize(connection, params);
  server.register(connection);
  return { capabilities: server.capabilities(), serverInfo: { name: 'capsule-language-server' } };
});
connection.listen();
