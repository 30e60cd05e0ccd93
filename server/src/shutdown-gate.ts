// LSP: after `shutdown`, every request is answered with InvalidRequest (a second
// `shutdown`, `initialize` and methods the server has no handler for too), and every
// notification but `exit` is dropped. Checked as messages leave the connection's queue,
// before any handler: a handler-by-handler check missed `shutdown` and `initialize`,
// which the library answers itself, and a second `initialize` set the server up again.
import { ErrorCodes, Message, ResponseError, type Connection, type MessageStrategy, type RequestMessage } from 'vscode-languageserver/node';

/** Where refused requests are sent: methods no client sends, whose handlers refuse. */
const REFUSED = 'capsule/$refusedAfterShutdown';
const AGAIN = 'capsule/$initializeAgain';

export class ShutdownGate implements MessageStrategy {
  private closed = false;
  private initialized = false;

  /** `shutdown` was received (the process then exits with 0 on `exit`). */
  get shutDown(): boolean {
    return this.closed;
  }

  handleMessage(message: Message, next: (message: Message) => void): void {
    if (!this.closed) {
      // Messages are dispatched in order: all after this one see the gate closed.
      if (Message.isRequest(message) && message.method === 'shutdown') this.closed = true;
      // LSP: initialize is sent once; a second would set the server up again over the first.
      if (Message.isRequest(message) && message.method === 'initialize') {
        if (this.initialized) return next({ ...message, method: AGAIN } as RequestMessage);
        this.initialized = true;
      }
      return next(message);
    }
    if (Message.isRequest(message)) {
      const refused: RequestMessage = { ...message, method: REFUSED };
      return next(refused);
    }
    if (Message.isNotification(message) && message.method !== 'exit') return;
    next(message); // `exit`, and responses to the server's own requests
  }

  /** Binds the refusing handler (once, on a connection created with this strategy). */
  register(connection: Connection): void {
    connection.onRequest(REFUSED, () => {
      throw new ResponseError(ErrorCodes.InvalidRequest, 'the Capsule language server is shut down');
    });
    connection.onRequest(AGAIN, () => {
      throw new ResponseError(ErrorCodes.InvalidRequest, 'the Capsule language server is initialized already; initialize is sent once');
    });
  }
}
