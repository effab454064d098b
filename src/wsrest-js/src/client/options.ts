import type { WebSocketConstructor } from '../engine/socket.js';

/** Reconnect with exponential backoff and full jitter (docs/browser.md, "Reconnect"). */
export interface ReconnectOptions {
  /** Upper bound of the first delay (the delay is random from 0 up to the bound). Default 1000. */
  initialDelayMs?: number;
  /** Cap of the bound, which doubles per attempt. Default 30000. */
  maxDelayMs?: number;
  /** Give up after this many failed attempts in a row (then the state is 'closed'). Default: never. */
  maxAttempts?: number;
}

export interface WsRestClientOptions {
  /** The WsRest endpoint: ws://, wss://, or http(s):// (converted), relative URLs resolve against the page. */
  url: string | URL;
  /** Sent in HELLO (§4.1): tenant, device, app version... the server sees it on the connection. */
  metadata?: Record<string, string> | [string, string][];
  /**
   * A bearer token, asked for on every (re)connect, sent in HELLO's `auth` as `Bearer <token>` (§13.4);
   * a value that already names a scheme ("Basic ...") is sent as it is.
   */
  auth?: () => string | Promise<string>;
  /**
   * Send the token as `?access_token=` on the URL instead of in HELLO. Only for servers that accept
   * it; query strings end up in access logs. Default false.
   */
  authInQuery?: boolean;
  /** Reconnect policy, or false to stay disconnected after a connection is lost. */
  reconnect?: ReconnectOptions | false;
  /** Silence after which the server is considered dead. Default: twice the server's heartbeat + 5 s (60 s without one). */
  heartbeatTimeoutMs?: number;
  /** Time allowed for the WebSocket upgrade, and again from HELLO to the server's WELCOME. Default 10000. */
  handshakeTimeoutMs?: number;
  /** WebSocket constructor (Node: the `ws` package). Default globalThis.WebSocket. */
  WebSocket?: WebSocketConstructor;
}
