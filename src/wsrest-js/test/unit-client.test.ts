import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { WsRestClient, WsRestRefusedError } from '../src/index.js';
import type { WebSocketConstructor } from '../src/index.js';
import { type ScriptedConnection, ScriptedPeer, isRequest, isResponse, ofType } from './scripted-peer.js';

const WebSocketImpl = WebSocket as unknown as WebSocketConstructor;

async function connected(peer: ScriptedPeer, options: Partial<ConstructorParameters<typeof WsRestClient>[0]> = {}, settings?: Record<string, number>): Promise<{ client: WsRestClient; server: ScriptedConnection; hello: Record<string, unknown> }> {
  const client = new WsRestClient({ url: peer.url, WebSocket: WebSocketImpl, reconnect: false, ...options });
  const accepted = peer.accept();
  const started = client.start();
  const server = await accepted;
  const hello = await server.handshake(settings);
  await started;
  return { client, server, hello };
}

describe('client against a scripted peer', () => {
  let peer: ScriptedPeer;
  before(async () => {
    peer = await ScriptedPeer.start();
  });
  after(async () => {
    await peer.close();
  });

  it('sends HELLO with settings, metadata and the token in auth, never in the URL', async () => {
    const { client, hello } = await connected(peer, { metadata: { tenant: 'acme' }, auth: () => 'secret-token' });
    assert.equal(hello.v, 1);
    assert.deepEqual(hello.md, [['tenant', 'acme']]);
    assert.equal(hello.auth, 'Bearer secret-token');
    assert.equal((hello.s as Record<string, number>).ps, 2);
    assert.equal(client.state, 'connected');
    assert.equal(client.connectionId, '0123456789abcdef0123456789abcdef');
    await client.stop();
    assert.equal(client.state, 'disconnected');
  });

  it('fetch sends only path and query, and returns a real Response with repeated headers', async () => {
    const { client, server } = await connected(peer);
    const responding = client.fetch('https://elsewhere.example/pets/1?x=1', { headers: { accept: 'application/json' } });
    const request = await server.next(isRequest);
    assert.equal(request.m, 'GET');
    assert.equal(request.r, '/pets/1?x=1');
    assert.ok((request.h as string[][]).some(([n, v]) => n === 'accept' && v === 'application/json'));
    assert.equal(request.e, undefined, 'a GET is one frame: e defaults to true');
    server.sendRaw(`{"uid":${request.uid},"c":200,"h":[["content-type","application/json"],["x-a","1"],["x-a","2"]],"d":{"id":1,"big":12345678901234567890}}`);
    const response = await responding;
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-a'), '1, 2');
    assert.equal(await response.text(), '{"id":1,"big":12345678901234567890}');
    await client.stop();
  });

  it('returns stream credit only as the reader consumes the body (§7)', async () => {
    const { client, server } = await connected(peer);
    const responding = client.fetch('/large');
    const request = await server.next(isRequest);
    const uid = request.uid as number;
    server.send({ uid, c: 200, h: [['content-type', 'application/octet-stream']], e: false });
    const response = await responding;
    // Fill the client's whole stream window (256 KiB) in 16 KiB DATA frames.
    const chunk = Buffer.alloc(16 * 1024, 7).toString('base64');
    for (let i = 0; i < 16; i++) server.send({ t: 'data', uid, d: chunk, de: 'base64' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(server.pending().filter((f) => f.t === 'window'), [], 'no credit before anything is read');
    const reader = response.body!.getReader();
    let read = 0;
    while (read < 128 * 1024) read += (await reader.read()).value!.length;
    const streamWindow = await server.next(ofType('window', uid));
    assert.equal(streamWindow.n, 128 * 1024, 'half the stream window consumed: one WINDOW for it');
    assert.deepEqual(server.pending().filter((f) => f.t === 'window'), [], 'the connection window (1 MiB) is not half consumed yet');
    server.send({ t: 'data', uid, e: true });
    while (!(await reader.read()).done);
    await client.stop();
  });

  it('abort sends CANCEL and rejects with the signal reason', async () => {
    const { client, server } = await connected(peer);
    const controller = new AbortController();
    const responding = client.fetch('/slow', { signal: controller.signal });
    const request = await server.next(isRequest);
    controller.abort();
    await assert.rejects(responding, (error: Error) => error.name === 'AbortError');
    const cancel = await server.next(ofType('cancel', request.uid as number));
    assert.equal(cancel.code, 5);
    await client.stop();
  });

  it('a request in flight when the socket dies rejects with a TypeError', async () => {
    const { client, server } = await connected(peer);
    const responding = client.fetch('/never');
    await server.next(isRequest);
    server.socket.terminate();
    await assert.rejects(responding, TypeError);
    await client.stop();
  });

  it('answers ping with pong at once', async () => {
    const { client, server } = await connected(peer);
    server.send({ t: 'ping', p: '00000000000000ff' });
    assert.deepEqual(await server.next(ofType('pong')), { t: 'pong', p: '00000000000000ff' });
    await client.stop();
  });

  it('a malformed message gets ERROR ProtocolError and close 1002', async () => {
    const { client, server } = await connected(peer);
    const closed = new Promise((resolve) => client.on('closed', resolve));
    server.sendRaw('{"t":"ping"');
    const error = await server.next(ofType('error'));
    assert.equal(error.code, 1);
    assert.equal((await server.closed).code, 1002);
    await closed;
    assert.equal(client.state, 'closed', 'reconnect is off in this test');
  });

  it('serve() answers a request the server opens', async () => {
    const { client, server } = await connected(peer);
    client.serve(async (request) => new Response(JSON.stringify({ got: await request.json(), path: new URL(request.url).pathname }), { headers: { 'content-type': 'application/json' } }));
    server.send({ uid: 2, m: 'POST', r: '/from-server', h: [['content-type', 'application/json']], d: { a: 1 } });
    const response = await server.next(isResponse);
    assert.equal(response.uid, 2);
    assert.equal(response.c, 200);
    assert.deepEqual(response.d, { got: { a: 1 }, path: '/from-server' });
    await client.stop();
  });

  it('delivers events serially in order, and unsubscribe keeps events sent before its ACK', async () => {
    const { client, server } = await connected(peer);
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const subscribing = client.subscribe('pets/created', async (message) => {
      if (message.type === 'event' && message.sequence === 43) await gate; // a slow handler
      seen.push(message.type === 'event' ? `event ${message.sequence}` : message.type === 'gap' ? `gap ${message.from}-${message.to}` : `reset ${message.epoch}`);
    });
    const sub = await server.next(ofType('sub'));
    server.send({ t: 'ack', uid: sub.uid, k: 'subscribed', seq: 42 });
    const subscription = await subscribing;
    server.send({ t: 'event', uid: sub.uid, seq: 43, ct: 'application/json', d: { id: 7 } }, { t: 'event', uid: sub.uid, seq: 44, ct: 'text/plain', d: 'x' });
    const unsubscribing = subscription.unsubscribe();
    const unsub = await server.next(ofType('unsub'));
    server.send({ t: 'event', uid: sub.uid, seq: 47, ct: 'application/json', d: null }, { t: 'gap', uid: sub.uid, from: 45, to: 47 }, { t: 'ack', uid: unsub.uid, k: 'unsubscribed' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(seen, [], 'the first handler is still running');
    release();
    await unsubscribing;
    assert.deepEqual(seen, ['event 43', 'event 44', 'gap 45-46', 'event 47']);
    await client.stop();
  });

  it('announces epochs, resumes in its epoch, and reports a restarted numbering as a reset (§10.5, §10.6)', async () => {
    const { client, server, hello } = await connected(peer, { reconnect: { initialDelayMs: 1, maxDelayMs: 1 } }, { ps: 2 });
    assert.equal((hello.s as Record<string, number>).ps, 2);
    const seen: string[] = [];
    const subscribing = client.subscribe('pets/created', (message) => {
      seen.push(message.type === 'reset' ? `reset ${message.epoch}` : message.type === 'event' ? `${message.epoch}#${message.sequence}` : `gap ${message.epoch}#${message.from}-${message.to}`);
    });
    const sub = await server.next(ofType('sub'));
    assert.equal(sub.epoch, undefined, 'a new subscription knows no epoch yet');
    server.send({ t: 'epoch', uid: sub.uid, epoch: 11 }, { t: 'ack', uid: sub.uid, k: 'subscribed', seq: 0 });
    const subscription = await subscribing;
    server.send({ t: 'event', uid: sub.uid, seq: 1, ct: 'text/plain', d: 'a' }, { t: 'event', uid: sub.uid, seq: 2, ct: 'text/plain', d: 'b' });
    await until(() => seen.length === 2);
    assert.equal(subscription.epoch, 11);

    // The server restarts with a new epoch; the client resumes in its old one, the server replays the new one from 1.
    const accepted = peer.accept();
    server.socket.close(1001, 'restart');
    const next = await accepted;
    await next.handshake({ ps: 2 });
    const resume = await next.next(ofType('sub'));
    assert.deepEqual({ from: resume.from, epoch: resume.epoch }, { from: 3, epoch: 11 });
    next.send({ t: 'epoch', uid: resume.uid, epoch: 22 }, { t: 'gap', uid: resume.uid, from: 1, to: 1 }, { t: 'event', uid: resume.uid, seq: 2, ct: 'text/plain', d: 'c' }, { t: 'ack', uid: resume.uid, k: 'subscribed', seq: 2 });
    await until(() => seen.length === 5);
    assert.deepEqual(seen, ['11#1', '11#2', 'reset 22', 'gap 22#1-1', '22#2']);
    assert.equal(subscription.epoch, 22);
    assert.equal(subscription.lastSequence, 2);
    await client.stop();
  });

  it('a request beyond GOAWAY is sent again on the next connection', async () => {
    const { client, server } = await connected(peer, { reconnect: { initialDelayMs: 1, maxDelayMs: 1 } });
    const responding = client.fetch('/pets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Rex"}' });
    const first = await server.next(isRequest);
    const accepted = peer.accept();
    server.send({ t: 'goaway', last: 0, code: 9, reason: 'shutdown' });
    server.socket.close(1001, 'shutdown');
    const next = await accepted;
    await next.handshake();
    const again = await next.next(isRequest);
    assert.deepEqual({ ...again, uid: first.uid }, first, 'the same request, on a new stream');
    next.send({ uid: again.uid, c: 201, h: [['content-type', 'application/json']], d: { id: 8 } });
    const response = await responding;
    assert.equal(response.status, 201);
    assert.deepEqual(await response.json(), { id: 8 });
    await client.stop();
  });

  it("the browser's online event ends the reconnect wait at once", async () => {
    // Node has no window events: stand in for them so the client listens as it would in a page.
    const events = new EventTarget();
    const global = globalThis as { addEventListener?: unknown; removeEventListener?: unknown };
    global.addEventListener = events.addEventListener.bind(events);
    global.removeEventListener = events.removeEventListener.bind(events);
    try {
      const { client, server } = await connected(peer, { reconnect: { initialDelayMs: 600_000, maxDelayMs: 600_000 } });
      const reconnecting = new Promise<{ delayMs: number }>((resolve) => client.on('reconnecting', resolve));
      const accepted = peer.accept();
      server.socket.terminate();
      const { delayMs } = await reconnecting;
      const reconnected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
      events.dispatchEvent(new Event('online'));
      const again = await accepted;
      await again.handshake();
      await reconnected;
      assert.equal(client.state, 'connected');
      assert.ok(delayMs > 0, 'the backoff alone would have waited');
      await client.stop();
    } finally {
      delete global.addEventListener;
      delete global.removeEventListener;
    }
  });

  it('a handshake ERROR is a refusal: start rejects and the state is closed', async () => {
    const client = new WsRestClient({ url: peer.url, WebSocket: WebSocketImpl });
    const accepted = peer.accept();
    const started = client.start();
    const server = await accepted;
    await server.next(ofType('hello'));
    server.send({ t: 'error', code: 1, reason: 'authentication failed' });
    await assert.rejects(started, WsRestRefusedError);
    assert.equal(client.state, 'closed');
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(condition(), 'timed out waiting');
}
