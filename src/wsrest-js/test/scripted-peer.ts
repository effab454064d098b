import { type AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

/**
 * A server that speaks wsrest.v1.json by hand (no WsRest code), for client behaviour a real server
 * does not trigger on demand: flow-control credit, malformed frames, refusals. Each accepted socket is
 * a ScriptedConnection; tests await what the client sends and answer frame by frame.
 */
export class ScriptedPeer {
  readonly connections: ScriptedConnection[] = [];
  private taken = 0;
  private waiting: (() => void) | undefined;

  private constructor(private readonly server: WebSocketServer, readonly url: string) {
    server.on('connection', (socket) => {
      const connection = new ScriptedConnection(socket);
      this.connections.push(connection);
      this.waiting?.();
    });
  }

  static async start(options: { protocol?: string | false } = {}): Promise<ScriptedPeer> {
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      handleProtocols: (protocols) => (options.protocol === false ? false : options.protocol ?? (protocols.has('wsrest.v1.json') ? 'wsrest.v1.json' : false)),
    });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    return new ScriptedPeer(server, `ws://127.0.0.1:${port}/wsrest`);
  }

  /** The next connection the client opens (or one already open and not yet taken). */
  async accept(): Promise<ScriptedConnection> {
    while (this.taken >= this.connections.length) {
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
    return this.connections[this.taken++]!;
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export type JsonFrame = Record<string, unknown>;

export class ScriptedConnection {
  private readonly received: JsonFrame[] = [];
  private waiter: (() => void) | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) throw new Error('The client sent a binary message');
      const parsed = JSON.parse(data.toString()) as JsonFrame | JsonFrame[];
      this.received.push(...(Array.isArray(parsed) ? parsed : [parsed]));
      this.waiter?.();
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  send(...frames: JsonFrame[]): void {
    this.socket.send(JSON.stringify(frames.length === 1 ? frames[0] : frames));
  }

  sendRaw(text: string): void {
    this.socket.send(text);
  }

  /** The next frame the client sent that matches `predicate` (earlier non-matching frames are skipped). */
  async next(predicate: (frame: JsonFrame) => boolean = () => true, timeoutMs = 10_000): Promise<JsonFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.received.findIndex(predicate);
      if (index >= 0) return this.received.splice(index, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No matching frame from the client within ${timeoutMs} ms; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Frames received and not taken yet. */
  pending(): JsonFrame[] {
    return [...this.received];
  }

  /** HELLO → WELCOME → READY; returns the HELLO. */
  async handshake(settings: Record<string, number> = { ps: 1 }, id = '0123456789abcdef0123456789abcdef'): Promise<JsonFrame> {
    const hello = await this.next((f) => f.t === 'hello');
    this.send({ t: 'welcome', v: 1, id, s: settings });
    await this.next((f) => f.t === 'ready');
    return hello;
  }
}

export const ofType = (t: string, uid?: number) => (frame: JsonFrame): boolean => frame.t === t && (uid === undefined || frame.uid === uid);
export const isRequest = (frame: JsonFrame): boolean => frame.t === undefined && 'm' in frame;
export const isResponse = (frame: JsonFrame): boolean => frame.t === undefined && 'c' in frame;
