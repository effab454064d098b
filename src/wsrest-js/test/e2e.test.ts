import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { type SubscriptionMessage, WsRestClient, type WsRestClientOptions, WsRestRefusedError } from '../src/index.js';
import type { WebSocketConstructor } from '../src/index.js';
import { DotnetServer } from './dotnet-server.js';

const WebSocketImpl = WebSocket as unknown as WebSocketConstructor;

/** Resolves when `predicate` holds, polling on the event loop (no fixed sleep); fails after `timeoutMs`. */
async function eventually(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function once<T>(client: WsRestClient, event: 'connected' | 'closed' | 'disconnected' | 'reconnecting'): Promise<T> {
  return new Promise((resolve) => {
    const off = client.on(event, (payload) => {
      off();
      resolve(payload as T);
    });
  });
}

function pattern(offset: number, length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (offset + i) % 251;
  return bytes;
}

describe('end to end against WsRest.Js.TestServer (.NET)', () => {
  let server: DotnetServer;
  const clients: WsRestClient[] = [];

  async function connect(options: Partial<WsRestClientOptions> = {}): Promise<WsRestClient> {
    const client = new WsRestClient({ url: server.wsrestUrl, WebSocket: WebSocketImpl, metadata: { test: 'e2e' }, ...options });
    clients.push(client);
    await client.start();
    return client;
  }

  before(async () => {
    server = await DotnetServer.start();
  });
  after(async () => {
    for (const client of clients) await client.stop();
    await server?.stop();
  });

  it('fetch GET and POST JSON reach the app with path, query, headers and body', async () => {
    const client = await connect();
    assert.equal(client.state, 'connected');
    const got = await client.fetch('/echo/pets?kind=dog', { headers: { 'x-trace': 'abc' } });
    assert.equal(got.status, 200);
    assert.match(got.headers.get('content-type') ?? '', /application\/json/);
    const echo = (await got.json()) as Record<string, unknown>;
    assert.equal(echo.method, 'GET');
    assert.equal(echo.path, '/echo/pets');
    assert.equal(echo.query, '?kind=dog');
    assert.equal((echo.headers as Record<string, string>)['x-trace'], 'abc');
    assert.equal(echo.connectionId, client.connectionId, 'served over the WsRest connection');

    const posted = await client.fetch('/echo/pets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Rex', big: 12345678901234567890n.toString() }) });
    const postEcho = (await posted.json()) as Record<string, unknown>;
    assert.equal(postEcho.method, 'POST');
    assert.equal(postEcho.contentType, 'application/json');
    assert.deepEqual(JSON.parse(postEcho.body as string), { name: 'Rex', big: '12345678901234567890' });
  });

  it('streams a 3 MiB response through the flow-control windows', async () => {
    const client = await connect();
    const size = 3 * 1024 * 1024;
    const response = await client.fetch(`/large?size=${size}`);
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    let offset = 0;
    let chunks = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      assert.deepEqual(value, pattern(offset, value.length), `bytes at ${offset}`);
      offset += value.length;
      chunks++;
    }
    assert.equal(offset, size);
    assert.ok(chunks > 1, 'streamed in pieces, not one buffer');
    // The windows came back: a second large download on the same connection completes too.
    const again = await client.fetch(`/large?size=${size}`);
    assert.equal((await again.arrayBuffer()).byteLength, size);
  });

  it('uploads 2 MiB of bytes and a 1 MiB ReadableStream', async () => {
    const client = await connect();
    const bytes = pattern(7, 2 * 1024 * 1024);
    const digest = (await (await client.fetch('/digest', { method: 'POST', body: bytes })).json()) as { length: number; sha256: string };
    assert.equal(digest.length, bytes.length);
    assert.equal(digest.sha256, createHash('sha256').update(bytes).digest('hex'));

    const piece = pattern(0, 64 * 1024);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 16) controller.close();
        else {
          sent++;
          controller.enqueue(piece);
        }
      },
    });
    const streamed = (await (await client.fetch('/digest', { method: 'POST', body: stream, duplex: 'half' } as RequestInit)).json()) as { length: number; sha256: string };
    const hash = createHash('sha256');
    for (let i = 0; i < 16; i++) hash.update(piece);
    assert.equal(streamed.length, 16 * piece.length);
    assert.equal(streamed.sha256, hash.digest('hex'));
  });

  it('abort cancels the request: the server sees RequestAborted and fetch rejects with AbortError', async () => {
    const client = await connect();
    const id = randomUUID();
    const controller = new AbortController();
    const slow = client.fetch(`/slow/${id}`, { signal: controller.signal });
    await server.http('GET', `/started/${id}`);
    controller.abort();
    await assert.rejects(slow, (error: Error) => error.name === 'AbortError');
    const outcome = (await (await server.http('GET', `/aborted/${id}`)).json()) as { aborted: boolean };
    assert.equal(outcome.aborted, true);
  });

  it('requests in flight when the socket dies reject with a TypeError', async () => {
    const client = await connect({ reconnect: false });
    const id = randomUUID();
    const slow = client.fetch(`/slow/${id}`);
    const rejected = assert.rejects(slow, TypeError);
    await server.http('GET', `/started/${id}`);
    await server.http('POST', `/drop/${client.connectionId}`);
    await rejected;
  });

  it('subscribe delivers in order through a slow handler; unsubscribe keeps every event published before it', async () => {
    const client = await connect();
    const topic = `e2e/order/${randomUUID()}`;
    const seen: number[] = [];
    let running = 0;
    const subscription = await client.subscribe(topic, async (message) => {
      assert.equal(message.type, 'event');
      running++;
      assert.equal(running, 1, 'handlers never overlap');
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
      if (message.type === 'event') {
        assert.deepEqual(message.data, { n: seen.length + 1 }, 'parsed JSON data');
        seen.push(message.sequence);
      }
      running--;
    });
    await server.http('POST', `/publish/${topic}?count=50`);
    await subscription.unsubscribe();
    assert.deepEqual(seen, Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('replay from a sequence reports what the buffer no longer holds as a gap', async () => {
    const client = await connect();
    const topic = `e2e/replay/${randomUUID()}`;
    await server.http('POST', `/publish/${topic}?count=30`);
    const messages: SubscriptionMessage[] = [];
    const subscription = await client.subscribe(topic, (message) => void messages.push(message), { fromSequence: 1 });
    await eventually(() => messages.length >= 17, 'the replay');
    const epoch = subscription.epoch;
    await subscription.unsubscribe();
    assert.ok(epoch !== undefined && epoch >= 1, 'the .NET server announces its epoch (§10.5)');
    assert.deepEqual(messages[0], { type: 'gap', topic, epoch, from: 1, to: 14 });
    assert.deepEqual(
      messages.slice(1).map((m) => (m.type === 'event' ? m.sequence : -1)),
      Array.from({ length: 16 }, (_, i) => i + 15),
    );
  });

  it('publish from the client returns the sequence and reaches subscribers', async () => {
    const client = await connect();
    const topic = `client/chat/${randomUUID()}`;
    const got: SubscriptionMessage[] = [];
    const subscription = await client.subscribe(topic, (message) => void got.push(message));
    const sequence = await client.publish(topic, 'hello', { contentType: 'text/plain' });
    assert.equal(sequence, 1);
    await eventually(() => got.length === 1, 'the published event');
    assert.deepEqual(got[0], { type: 'event', topic, epoch: subscription.epoch, sequence: 1, contentType: 'text/plain', data: 'hello' });
  });

  it('reconnects after a server-side drop and resumes subscriptions without losing or repeating events', async () => {
    const client = await connect({ reconnect: { initialDelayMs: 100, maxDelayMs: 200 } });
    const topic = `e2e/resume/${randomUUID()}`;
    const seen: number[] = [];
    await client.subscribe(topic, (message) => {
      if (message.type === 'event') seen.push(message.sequence);
    });
    await server.http('POST', `/publish/${topic}?count=3`);
    await eventually(() => seen.length === 3, 'the first three events');
    const firstId = client.connectionId!;
    const reconnected = once<{ connectionId: string; reconnected: boolean }>(client, 'connected');
    const reconnecting = once<{ error: Error }>(client, 'reconnecting');
    await server.http('POST', `/drop/${firstId}`);
    // Published while the client is away (or just back): replayed from the server's buffer either way.
    await server.http('POST', `/publish/${topic}?count=2`);
    assert.ok((await reconnecting).error instanceof Error);
    const back = await reconnected;
    assert.equal(back.reconnected, true);
    assert.notEqual(back.connectionId, firstId);
    await server.http('POST', `/publish/${topic}?count=2`);
    await eventually(() => seen.length >= 7, 'the events after the reconnect');
    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7]);
    const connections = (await (await server.http('GET', '/connections')).json()) as { id: string; previous: string | null }[];
    assert.equal(connections.find((c) => c.id === back.connectionId)?.previous, firstId, 'HELLO carried the previous id');
  });

  it('serve() answers a call the server makes into the client', async () => {
    const client = await connect();
    client.serve(async (request) => {
      const body = (await request.json()) as { question: string };
      return Response.json({ answer: `${request.method} ${new URL(request.url).pathname} ${body.question}`, caller: request.headers.get('wsrest-caller') });
    });
    const result = (await (await server.http('POST', `/call/${client.connectionId}`, JSON.stringify({ question: 'status?' }))).json()) as { status: number; body: string };
    assert.equal(result.status, 200);
    assert.deepEqual(JSON.parse(result.body), { answer: 'POST /from-server status?', caller: 'js-test-server' });
  });

  it('authenticates with the token in HELLO: tunneled requests run as that user', async () => {
    const client = await connect({ auth: () => Promise.resolve('good-token') });
    const me = (await (await client.fetch('/whoami')).json()) as { name: string | null };
    assert.equal(me.name, 'alice');
  });

  it('a token the server rejects is a refusal: start rejects and nothing retries', async () => {
    const client = new WsRestClient({ url: server.wsrestUrl, WebSocket: WebSocketImpl, auth: () => 'stolen-token' });
    let attempts = 0;
    client.on('reconnecting', () => attempts++);
    await assert.rejects(client.start(), (error: Error) => error instanceof WsRestRefusedError && /authentication failed/.test(error.message));
    assert.equal(client.state, 'closed');
    assert.equal(attempts, 0);
  });

  it('a refused upgrade stops reconnecting', async () => {
    const client = await connect({ reconnect: { initialDelayMs: 50, maxDelayMs: 100 } });
    let attempts = 0;
    client.on('reconnecting', () => attempts++);
    const closed = once<{ error: Error }>(client, 'closed');
    await server.http('POST', '/gate/refuse');
    try {
      await server.http('POST', `/drop/${client.connectionId}`);
      const { error } = await closed;
      assert.ok(error instanceof WsRestRefusedError, `refused, got ${error}`);
      assert.equal(client.state, 'closed');
      assert.equal(attempts, 1);
      await assert.rejects(client.fetch('/echo/x'), TypeError);
    } finally {
      await server.http('POST', '/gate/accept');
    }
  });
});
