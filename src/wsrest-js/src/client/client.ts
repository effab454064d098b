import { Connection, type ConnectionEvents } from '../engine/connection.js';
import { handshake } from '../engine/handshake.js';
import { Socket, type WebSocketConstructor } from '../engine/socket.js';
import { type FetchHost, wsrestFetch } from '../http/fetch.js';
import { type ServeHandler, serveRequest } from '../http/serve.js';
import type { FrameOf, Settings } from '../protocol/frames.js';
import { withDefaults } from '../protocol/frames.js';
import { PubSub } from '../pubsub/pubsub.js';
import type { PublishOptions, SubscribeOptions, Subscription, SubscriptionHandler } from '../pubsub/types.js';
import { Emitter } from './emitter.js';
import { authorizationValue, httpOrigin, pageLocation, webSocketUrl } from './endpoint.js';
import { WsRestError, WsRestRefusedError } from './errors.js';
import type { WsRestClientOptions } from './options.js';
import { ReconnectPolicy } from './reconnect-policy.js';

/**
 * - `disconnected`: not started, or stopped with stop().
 * - `connecting`: start() is connecting.
 * - `connected`: requests and events flow.
 * - `reconnecting`: the connection was lost; waiting or trying again.
 * - `closed`: gave up: start() failed, the server refused the client, reconnect is off, or the attempts ran out.
 */
export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** The events of `client.on(...)`, with what each handler receives. */
export interface WsRestClientEvents {
  connecting: { url: string };
  connected: { connectionId: string; reconnected: boolean };
  /** Before each reconnect attempt: the error that ended the last connection or attempt. */
  reconnecting: { error: Error; attempt: number; delayMs: number };
  /** A connection ended; `error` is undefined after stop(). */
  disconnected: { error: Error | undefined };
  /** The client gave up; `error` says why. */
  closed: { error: Error | undefined };
}

/** What the client accepts (§4.3); every body is flow-controlled against these windows. */
const localSettings: Required<Settings> = {
  mcs: 100,
  isw: 256 * 1024,
  icw: 1024 * 1024,
  mms: 1024 * 1024,
  mhl: 64 * 1024,
  hb: 0,
  // 2: pub/sub with epochs (§10.1): epoch notices, and the epoch in a resuming "sub".
  ps: 2,
};

/**
 * A WsRest client for browsers (and Node with the `ws` package): `fetch` over one WebSocket, pub/sub,
 * and requests from the server into the page, speaking the JSON subprotocol `wsrest.v1.json`.
 */
export class WsRestClient {
  private current: Connection | undefined;
  private currentState: ConnectionState = 'disconnected';
  private readonly emitter = new Emitter<WsRestClientEvents>();
  private readonly pubsub = new PubSub();
  private readonly policy: ReconnectPolicy | undefined;
  private readonly url: URL;
  private readonly WebSocketImpl: WebSocketConstructor;
  private readonly fetchHost: FetchHost;
  private handler: ServeHandler | undefined;
  private previousId: string | undefined;
  /** Bumped by start() and stop(), so a connect or reconnect loop from before notices it is stale. */
  private generation = 0;
  private stateWaiters: (() => void)[] = [];
  private wakeReconnect: (() => void) | undefined;
  private removeNetworkListeners: (() => void) | undefined;

  constructor(private readonly options: WsRestClientOptions) {
    if (!options || options.url === undefined) throw new TypeError('WsRestClient: options.url is required');
    this.url = webSocketUrl(options.url);
    const WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WebSocketImpl) throw new TypeError('WsRestClient: no WebSocket here; pass options.WebSocket (in Node: the ws package)');
    this.WebSocketImpl = WebSocketImpl;
    this.policy = options.reconnect === false ? undefined : new ReconnectPolicy(options.reconnect);
    const origin = httpOrigin(this.url);
    this.fetchHost = { baseUrl: pageLocation() ?? origin, connection: (signal) => this.connectionFor(signal) };
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** The id the server gave the current connection (32 hex digits), or undefined when not connected. */
  get connectionId(): string | undefined {
    return this.current?.id;
  }

  /** Listens to a state event; returns a function that stops listening. */
  on<K extends keyof WsRestClientEvents>(event: K, handler: (payload: WsRestClientEvents[K]) => void): () => void {
    return this.emitter.on(event, handler);
  }

  /** Connects (one attempt). Rejects if it fails; reconnecting applies only to connections lost later. */
  async start(): Promise<void> {
    if (this.currentState !== 'disconnected' && this.currentState !== 'closed') {
      throw new Error(`WsRestClient.start: the client is already ${this.currentState}`);
    }
    const generation = ++this.generation;
    this.listenToNetwork();
    this.setState('connecting');
    try {
      await this.connect(generation);
    } catch (error) {
      if (generation === this.generation) this.giveUp(error as Error);
      throw error;
    }
  }

  /** Closes the connection; requests in flight fail with a TypeError and every subscription ends. */
  async stop(): Promise<void> {
    this.generation++;
    this.wakeReconnect?.();
    this.removeNetworkListeners?.();
    this.removeNetworkListeners = undefined;
    const connection = this.current;
    this.current = undefined;
    this.pubsub.detach(undefined);
    this.pubsub.clear();
    const wasConnected = this.currentState === 'connected';
    this.setState('disconnected');
    connection?.closeGracefully();
    if (wasConnected) this.emitter.emit('disconnected', { error: undefined });
  }

  /** `fetch` over WsRest: same arguments, a real Response; only the URL's path and query are sent. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    return wsrestFetch(this.fetchHost, input, init);
  }

  /** Subscribes to a topic; resolves once the server has acknowledged the subscription. */
  subscribe(topic: string, handler: SubscriptionHandler, options?: SubscribeOptions): Promise<Subscription> {
    if (this.currentState === 'disconnected' || this.currentState === 'closed') {
      return Promise.reject(new Error(`WsRestClient.subscribe: the client is ${this.currentState}; call start() first`));
    }
    return this.pubsub.subscribe(topic, handler, options, this.current);
  }

  /** Publishes an event (the server must allow clients to publish); resolves with its sequence number. */
  async publish(topic: string, data: unknown, options?: PublishOptions): Promise<number> {
    const connection = await this.connectionFor(undefined);
    return this.pubsub.publish(topic, data, options, connection);
  }

  /**
   * Answers the server's requests into this client (docs/reverse.md) with `handler`. Without a handler
   * they are refused (RefusedStream). Returns a function that removes the handler.
   */
  serve(handler: ServeHandler): () => void {
    if (typeof handler !== 'function') throw new TypeError('WsRestClient.serve: handler must be a function');
    this.handler = handler;
    return () => {
      if (this.handler === handler) this.handler = undefined;
    };
  }

  private async connect(generation: number): Promise<void> {
    const stale = (): boolean => generation !== this.generation;
    const token = this.options.auth ? await this.options.auth() : undefined;
    if (stale()) throw new WsRestError('The client was stopped');
    const url = new URL(this.url);
    if (token !== undefined && this.options.authInQuery) url.searchParams.set('access_token', token);
    this.emitter.emit('connecting', { url: this.url.href });
    const handshakeTimeoutMs = this.options.handshakeTimeoutMs ?? 10_000;
    const socket = await Socket.open(url.href, this.WebSocketImpl, handshakeTimeoutMs);
    if (stale()) {
      socket.close(1000, 'client stopped');
      throw new WsRestError('The client was stopped');
    }
    const hello: FrameOf<'hello'> = { t: 'hello', v: 1, s: localSettings, md: metadataList(this.options.metadata) };
    if (this.previousId) hello.prev = this.previousId;
    if (token !== undefined && !this.options.authInQuery) hello.auth = authorizationValue(token);
    const welcome = await handshake(socket, hello, handshakeTimeoutMs);
    if (stale()) {
      socket.close(1000, 'client stopped');
      throw new WsRestError('The client was stopped');
    }
    const peer = withDefaults(welcome.s);
    const heartbeatTimeoutMs = this.options.heartbeatTimeoutMs ?? (peer.hb > 0 ? 2 * peer.hb + 5000 : 60_000);
    const events: ConnectionEvents = {
      request: (stream, frame) => serveRequest(connection, stream, frame, this.handler, httpOrigin(this.url)),
      pubsub: (frame) => this.pubsub.receive(frame),
      goaway: () => undefined,
      closed: (error) => this.lost(connection, error),
    };
    const connection = new Connection(socket, welcome.id, peer, localSettings, events, heartbeatTimeoutMs);
    const reconnected = this.previousId !== undefined;
    this.previousId = welcome.id;
    this.current = connection;
    this.pubsub.attach(connection);
    this.setState('connected');
    connection.start();
    if (connection.isEnded) return;
    this.emitter.emit('connected', { connectionId: welcome.id, reconnected });
  }

  private lost(connection: Connection, error: Error | undefined): void {
    if (this.current !== connection) return;
    this.current = undefined;
    this.pubsub.detach(error);
    const cause = error ?? new WsRestError('The connection ended');
    this.emitter.emit('disconnected', { error: cause });
    if (!this.policy) {
      this.giveUp(cause);
      return;
    }
    void this.reconnect(cause, this.generation);
  }

  private async reconnect(error: Error, generation: number): Promise<void> {
    this.setState('reconnecting');
    let lastError = error;
    for (let attempt = 0; ; attempt++) {
      const delayMs = this.policy!.nextDelay(attempt);
      if (delayMs === undefined) {
        this.giveUp(lastError);
        return;
      }
      this.emitter.emit('reconnecting', { error: lastError, attempt: attempt + 1, delayMs });
      await this.delay(delayMs);
      if (generation !== this.generation) return;
      try {
        await this.connect(generation);
        return;
      } catch (failure) {
        if (generation !== this.generation) return;
        lastError = failure as Error;
        if (failure instanceof WsRestRefusedError) {
          this.giveUp(failure);
          return;
        }
      }
    }
  }

  /** Waits `ms`, or less when the browser comes back online or the client is stopped. */
  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(wake, ms);
      const self = this;
      function wake(): void {
        clearTimeout(timer);
        if (self.wakeReconnect === wake) self.wakeReconnect = undefined;
        resolve();
      }
      this.wakeReconnect = wake;
    });
  }

  private giveUp(error: Error): void {
    this.removeNetworkListeners?.();
    this.removeNetworkListeners = undefined;
    this.pubsub.clear();
    this.setState('closed');
    this.emitter.emit('closed', { error });
  }

  /** The connection for a request, waiting while the client connects; a TypeError (like fetch) when there is none. */
  private async connectionFor(signal: AbortSignal | undefined): Promise<Connection> {
    for (;;) {
      signal?.throwIfAborted();
      const connection = this.current;
      if (connection?.usable) return connection;
      if (this.currentState === 'disconnected' || this.currentState === 'closed') {
        throw new TypeError(`Failed to fetch: the WsRest client is ${this.currentState}`);
      }
      await this.stateChange(signal);
    }
  }

  private stateChange(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.stateWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  private setState(state: ConnectionState): void {
    this.currentState = state;
    const waiters = this.stateWaiters;
    this.stateWaiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * A browser that comes back online reconnects at once instead of waiting out its backoff; a network
   * change while connected probes the server, since the old socket may be dead without knowing it.
   */
  private listenToNetwork(): void {
    const target = globalThis as { addEventListener?: (type: string, listener: () => void) => void; removeEventListener?: (type: string, listener: () => void) => void };
    if (typeof target.addEventListener !== 'function' || this.removeNetworkListeners) return;
    const online = (): void => {
      if (this.currentState === 'reconnecting') this.wakeReconnect?.();
      else this.current?.probe();
    };
    const offline = (): void => this.current?.probe();
    target.addEventListener('online', online);
    target.addEventListener('offline', offline);
    this.removeNetworkListeners = () => {
      target.removeEventListener?.('online', online);
      target.removeEventListener?.('offline', offline);
    };
  }
}

function metadataList(metadata: WsRestClientOptions['metadata']): [string, string][] | undefined {
  if (!metadata) return undefined;
  return Array.isArray(metadata) ? metadata.map(([key, value]) => [String(key), String(value)]) : Object.entries(metadata).map(([key, value]) => [key, String(value)]);
}
