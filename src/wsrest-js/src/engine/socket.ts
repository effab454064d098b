import { WsRestError, WsRestRefusedError } from '../client/errors.js';

/** The part of the WHATWG WebSocket this client uses; `ws` in Node and every browser provide it. */
export interface WebSocketLike {
  readonly protocol: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: any) => void): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export const subprotocol = 'wsrest.v1.json';

/** Stands for a binary message, which a JSON connection must treat as a ProtocolError (§13.1). */
export const binaryMessage: unique symbol = Symbol('binary message');

export type Incoming = string | typeof binaryMessage;

export interface SocketHandler {
  message(text: Incoming): void;
  closed(code: number, reason: string, error: Error | undefined): void;
}

/**
 * One WebSocket after its upgrade. Messages are buffered until a handler is attached, so none is lost
 * between the handshake's WELCOME and the connection taking over.
 */
export class Socket {
  private handler: SocketHandler | undefined;
  private readonly backlog: Incoming[] = [];
  private closeInfo: { code: number; reason: string; error: Error | undefined } | undefined;
  private error: Error | undefined;

  private constructor(private readonly ws: WebSocketLike) {
    ws.addEventListener('message', (event: { data: unknown }) => {
      this.deliver(typeof event.data === 'string' ? event.data : binaryMessage);
    });
    ws.addEventListener('error', (event: { error?: unknown; message?: string }) => {
      this.error = event.error instanceof Error ? event.error : new WsRestError(event.message || 'WebSocket error');
    });
    ws.addEventListener('close', (event: { code: number; reason: string }) => {
      this.closeInfo = { code: event.code, reason: event.reason, error: this.error };
      this.handler?.closed(event.code, event.reason, this.error);
    });
  }

  /** Opens a WebSocket offering `wsrest.v1.json`; rejects when it does not open or the server selects another subprotocol. */
  static open(url: string, WebSocketImpl: WebSocketConstructor, timeoutMs: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      let ws: WebSocketLike;
      try {
        ws = new WebSocketImpl(url, [subprotocol]);
      } catch (error) {
        // A malformed URL will not get better by retrying.
        reject(new WsRestRefusedError(`Cannot open a WebSocket to ${url}`, undefined, { cause: error }));
        return;
      }
      let failure: Error | undefined;
      // An upgrade that never completes (a proxy holding the request) must not hang start() forever.
      const timer = setTimeout(() => {
        failure = new WsRestError(`The WebSocket to ${url} did not open within ${timeoutMs} ms`);
        ws.close();
      }, timeoutMs);
      ws.addEventListener('error', (event: { error?: unknown; message?: string }) => {
        failure = upgradeFailure(event, url);
      });
      ws.addEventListener('close', (event: { code: number; reason: string }) => {
        clearTimeout(timer);
        reject(failure ?? new WsRestError(`The WebSocket to ${url} closed before it opened (${event.code})`));
      });
      ws.addEventListener('open', () => {
        clearTimeout(timer);
        if (ws.protocol !== subprotocol) {
          ws.close(1002, 'subprotocol not selected');
          reject(new WsRestRefusedError(`The server did not select the subprotocol ${subprotocol} (it selected "${ws.protocol}")`));
          return;
        }
        resolve(new Socket(ws));
      });
    });
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  get isOpen(): boolean {
    return this.ws.readyState === 1;
  }

  attach(handler: SocketHandler): void {
    this.handler = handler;
    for (const text of this.backlog.splice(0)) {
      handler.message(text);
    }
    if (this.closeInfo) handler.closed(this.closeInfo.code, this.closeInfo.reason, this.closeInfo.error);
  }

  /** Messages are buffered again until the next attach. */
  detach(): void {
    this.handler = undefined;
  }

  send(text: string): void {
    if (this.ws.readyState === 1) this.ws.send(text);
  }

  close(code: number, reason: string): void {
    try {
      this.ws.close(code, reason);
    } catch (error) {
      // close() throws only for a code or reason the API forbids; closing without them still ends it.
      this.ws.close();
      void error;
    }
  }

  private deliver(text: Incoming): void {
    if (this.handler) this.handler.message(text);
    else this.backlog.push(text);
  }
}

/**
 * Browsers hide why an upgrade failed. Node's `ws` reports "Unexpected server response: 403": a 4xx
 * other than 408/429 is a refusal that retrying will not fix (docs/decisions.md, "JS client refusals").
 */
function upgradeFailure(event: { error?: unknown; message?: string }, url: string): Error {
  const message = event.error instanceof Error ? event.error.message : event.message ?? '';
  const status = /Unexpected server response: (\d{3})/.exec(message);
  if (status) {
    const code = Number(status[1]);
    const permanent = code >= 400 && code < 500 && code !== 408 && code !== 429;
    const text = `The server rejected the WebSocket upgrade to ${url} with HTTP ${code}`;
    return permanent ? new WsRestRefusedError(text, undefined, { cause: event.error }) : new WsRestError(text, undefined, { cause: event.error });
  }
  return new WsRestError(`The WebSocket to ${url} failed${message ? `: ${message}` : ''}`, undefined, { cause: event.error });
}
