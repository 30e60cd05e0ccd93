// The server's messages over stdio: each one header and body in a single write. With
// pulled diagnostics in groups (diagnostic-groups.ts) a keystroke is answered by one
// message per group; vscode-jsonrpc's stream writer makes two writes per message (the
// header, then, once that one's callback ran, the body), each a system call that wakes
// the client. The body is messageBytes' (diagnostic-json.ts), made synchronously, so
// messages go out in the order they are written without a queue.
import { AbstractMessageWriter, type Message, type MessageWriter } from 'vscode-languageserver/node';
import { messageBytes } from './diagnostic-json';

export class StdioMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private errors = 0;

  constructor(private readonly out: NodeJS.WritableStream) {
    super();
    out.on('error', (e: unknown) => this.fireError(e));
    out.on('close', () => this.fireClose());
  }

  write(msg: Message): Promise<void> {
    let framed: Buffer;
    try {
      const body = messageBytes(msg);
      framed = Buffer.concat([Buffer.from(`Content-Length: ${body.byteLength}\r\n\r\n`, 'ascii'), body]);
    } catch (e) {
      this.fireError(e, msg, ++this.errors);
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      this.out.write(framed, (e) => {
        if (!e) return resolve();
        this.fireError(e, msg, ++this.errors);
        reject(e);
      });
    });
  }

  end(): void {
    this.out.end();
  }
}
