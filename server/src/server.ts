// The language server's entry: JSON-RPC over stdio or node IPC (vscode-languageserver
// reads --stdio / --node-ipc from argv). Only the protocol may use stdout, so console
// output goes to the client's log.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { CapsuleServer } from './capsule-server';

const connection = createConnection(ProposedFeatures.all);
console.log = (...a: unknown[]) => connection.console.log(a.map(String).join(' '));
console.info = (...a: unknown[]) => connection.console.info(a.map(String).join(' '));
console.warn = (...a: unknown[]) => connection.console.warn(a.map(String).join(' '));
console.error = (...a: unknown[]) => connection.console.error(a.map(String).join(' '));

connection.onInitialize(async (params) => {
  const server = await CapsuleServer.initialize(connection, params);
  server.register(connection);
  return { capabilities: server.capabilities(), serverInfo: { name: 'capsule-language-server' } };
});
connection.listen();
