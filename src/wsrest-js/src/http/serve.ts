import type { Connection } from '../engine/connection.js';
import { IncomingBody } from '../engine/incoming-body.js';
import type { Stream } from '../engine/stream.js';
import { Body } from '../protocol/body.js';
import { isJsonContentType, isTextContentType } from '../protocol/content-type.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { FrameOf } from '../protocol/frames.js';
import { fromHeaderList, toHeaderList } from './headers.js';
import { readerChunks } from './request-body.js';
import { requestStreamsSupported } from './stream-support.js';

/** Answers a request the server sends into this client (docs/reverse.md). */
export type ServeHandler = (request: Request) => Response | Promise<Response>;

/** Reports an error nobody awaits (a failing serve handler), as the browser does for uncaught errors. */
export function reportError(error: unknown): void {
  const report = (globalThis as { reportError?: (error: unknown) => void }).reportError;
  if (typeof report === 'function') report(error);
  else console.error(error);
}

/**
 * Runs a request the server opened (an even stream id) through `handler`. Called synchronously from the
 * connection's dispatch, so the request body and the reset hook are in place before body bytes arrive.
 */
export function serveRequest(connection: Connection, stream: Stream, frame: FrameOf<'req'>, handler: ServeHandler | undefined, baseUrl: string): void {
  if (!handler) {
    // §6.1: a peer that serves no requests refuses them; the server may retry elsewhere.
    connection.reset(stream, ErrorCode.RefusedStream);
    return;
  }
  const aborted = new AbortController();
  const hasBody = !frame.e || (frame.body?.byteLength ?? 0) > 0;
  // Request forbids a body on GET and HEAD; such bytes are released unread.
  const canHaveBody = hasBody && frame.m !== 'GET' && frame.m !== 'HEAD';
  const body = canHaveBody
    ? new IncomingBody(
        (n) => connection.consumed(stream, n),
        () => connection.reset(stream, ErrorCode.Cancel),
      )
    : undefined;
  stream.body = body;
  const release = (error: unknown): void => {
    aborted.abort(error);
    body?.fail(error);
  };
  stream.owner = { reset: release };
  const makeRequest = (requestBody: BodyInit | null): Request =>
    new Request(new URL(frame.r, baseUrl), { method: frame.m, headers: fromHeaderList(frame.h), body: requestBody, signal: aborted.signal, duplex: 'half' } as RequestInit);
  void respond(connection, stream, handler, release, async () => {
    if (!body) return makeRequest(null);
    // A body that came whole, or a browser that cannot put a stream in a Request, gets the bytes.
    if (frame.e || !requestStreamsSupported()) return makeRequest(await new Response(body.readable).arrayBuffer());
    return makeRequest(body.readable);
  });
}

async function respond(connection: Connection, stream: Stream, handler: ServeHandler, release: (error: unknown) => void, request: () => Promise<Request>): Promise<void> {
  try {
    const response = await handler(await request());
    if (stream.closed) {
      await response.body?.cancel();
      return;
    }
    await sendResponse(connection, stream, response);
  } catch (error) {
    // A handler that fails because the server cancelled the call is not worth reporting.
    const cancelledByPeer = stream.closed;
    connection.reset(stream, ErrorCode.InternalError);
    release(error);
    if (!cancelledByPeer) reportError(error);
  }
}

async function sendResponse(connection: Connection, stream: Stream, response: Response): Promise<void> {
  const head = { t: 'res', uid: stream.id, c: response.status, h: toHeaderList(response.headers) } as const;
  const contentType = response.headers.get('content-type');
  if (!response.body) {
    connection.write({ ...head, body: undefined, e: true });
    connection.localEnd(stream);
    return;
  }
  const reader = response.body.getReader();
  const first = await reader.read();
  if (first.done) {
    connection.write({ ...head, body: undefined, e: true });
    connection.localEnd(stream);
    return;
  }
  // A body already complete (a string, a Blob) goes inline with the head (§5.3); one still being
  // produced must not hold the head back, so the end is only looked for in the next few microtasks.
  const second = reader.read();
  const ended = await Promise.race([second.then((result) => result.done), microtasks(8).then(() => false)]);
  if (ended && first.value.length <= connection.inlineLimit && connection.tryTakeCredit(stream, first.value.length)) {
    connection.write({ ...head, body: Body.forSending(first.value, contentType), e: true });
    connection.localEnd(stream);
    return;
  }
  connection.write({ ...head, body: undefined, e: false });
  const textual = isJsonContentType(contentType) || isTextContentType(contentType);
  await connection.sendBody(stream, rest(first.value, second, reader), textual);
}

async function* rest(
  first: Uint8Array,
  second: Promise<ReadableStreamReadResult<Uint8Array>>,
  reader: ReadableStreamDefaultReader<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  yield first;
  const next = await second;
  if (next.done) return;
  yield next.value;
  yield* readerChunks(reader);
}

async function microtasks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}
