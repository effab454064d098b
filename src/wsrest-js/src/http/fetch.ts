import { networkError } from '../client/errors.js';
import type { Connection } from '../engine/connection.js';
import { StreamRefusedError } from '../engine/connection.js';
import { IncomingBody } from '../engine/incoming-body.js';
import type { Stream, StreamOwner } from '../engine/stream.js';
import { Body } from '../protocol/body.js';
import { isJsonContentType, isTextContentType } from '../protocol/content-type.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { FrameOf, HeaderList } from '../protocol/frames.js';
import { fromHeaderList, toHeaderList } from './headers.js';
import { type OutgoingBody, chunksOf, readRequestBody } from './request-body.js';

/** What fetch needs from the client. */
export interface FetchHost {
  /** Base for relative URLs: the page's location in a browser, else the endpoint's http(s) origin. */
  readonly baseUrl: string;
  /** The connection to use, waiting while the client (re)connects; rejects with a TypeError when there is none. */
  connection(signal: AbortSignal | undefined): Promise<Connection>;
}

/** Responses whose body is null in a Response (the constructor rejects one). */
const nullBodyStatus: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);

/** Streams refused without being processed are retried this many times in all (§6.1, §6.2). */
const maxAttempts = 3;

interface PreparedRequest {
  method: string;
  target: string;
  url: string;
  headers: HeaderList;
  contentType: string | null;
  body: OutgoingBody;
  signal: AbortSignal | undefined;
}

/** `fetch` over WsRest: the request goes as REQUEST (+ DATA), the answer is a real Response (§5, §7). */
export async function wsrestFetch(host: FetchHost, input: RequestInfo | URL, init: RequestInit | undefined): Promise<Response> {
  const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
  signal?.throwIfAborted();
  const prepared = await prepare(host.baseUrl, input, init, signal);
  for (let attempt = 1; ; attempt++) {
    const connection = await host.connection(signal);
    try {
      return await exchange(connection, prepared);
    } catch (error) {
      // Not processed by the server: safe to send again on the next connection, unless the body was a
      // stream that is partly consumed.
      if (error instanceof StreamRefusedError) {
        if (prepared.body.kind !== 'stream' && attempt < maxAttempts) continue;
        throw new TypeError(`Failed to fetch: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }
}

async function prepare(baseUrl: string, input: RequestInfo | URL, init: RequestInit | undefined, signal: AbortSignal | undefined): Promise<PreparedRequest> {
  const url = input instanceof Request ? input.url : new URL(String(input), baseUrl).href;
  // Request normalises method, headers and every body type exactly as fetch would (content-type of
  // strings, Blobs, URLSearchParams and FormData included). A stream is kept out of it: not every
  // browser can hold one in a Request (http/stream-support.ts).
  const stream = init?.body instanceof ReadableStream ? (init.body as ReadableStream<Uint8Array>) : undefined;
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  if (stream && (method === 'GET' || method === 'HEAD')) throw new TypeError('Request with GET/HEAD method cannot have body.');
  const normalised = stream ? { ...init, body: undefined } : init;
  const request = input instanceof Request && init === undefined ? input : new Request(input instanceof Request ? input : url, normalised);
  const parsed = new URL(request.url);
  const body = await readRequestBody(request, stream);
  signal?.throwIfAborted();
  return {
    method: request.method,
    // Only the path and query travel (§5.1); scheme and authority are the upgrade request's.
    target: parsed.pathname + parsed.search,
    url: request.url,
    headers: toHeaderList(request.headers),
    contentType: request.headers.get('content-type'),
    body,
    signal,
  };
}

function exchange(connection: Connection, request: PreparedRequest): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const { signal } = request;
    let stream: Stream | undefined;
    let responseBody: IncomingBody | undefined;
    let settled = false;

    const finish = (): void => signal?.removeEventListener('abort', onAbort);
    const fail = (error: unknown): void => {
      finish();
      if (!settled) {
        settled = true;
        reject(error);
      } else {
        responseBody?.fail(error);
      }
    };
    const onAbort = (): void => {
      if (stream) connection.reset(stream, ErrorCode.Cancel);
      connection.wakeSlotWaiters();
      fail(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const owner: StreamOwner = {
      head: (frame) => {
        const response = toResponse(frame, request, connection, stream!, finish, (body) => (responseBody = body));
        if (response instanceof Error) {
          connection.reset(stream!, ErrorCode.Cancel);
          fail(response);
          return;
        }
        settled = true;
        resolve(response);
      },
      reset: (error, kind) => {
        fail(kind === 'connection' ? networkError(error) : error instanceof StreamRefusedError ? error : new TypeError(`Failed to fetch: ${error.message}`, { cause: error }));
      },
    };

    connection
      .openStream(owner, () => (signal?.aborted ? signal.reason : undefined))
      .then((opened) => {
        if (signal?.aborted) {
          // Aborted between the slot and now: the REQUEST was never sent, so nothing goes out.
          connection.abandon(opened);
          return;
        }
        stream = opened;
        send(connection, opened, request).catch((error: unknown) => {
          connection.reset(opened, ErrorCode.Cancel);
          fail(error instanceof TypeError ? error : new TypeError(`Failed to fetch: the request body failed`, { cause: error }));
        });
      })
      .catch((error: unknown) => fail(signal?.aborted ? signal.reason : error instanceof StreamRefusedError ? error : networkError(error)));
  });
}

async function send(connection: Connection, stream: Stream, request: PreparedRequest): Promise<void> {
  const head = { t: 'req', uid: stream.id, m: request.method, r: request.target, h: request.headers } as const;
  const { body } = request;
  if (body.kind === 'none' || (body.kind === 'bytes' && body.bytes.length === 0)) {
    writeHead(connection, stream, { ...head, body: undefined, e: true });
    connection.localEnd(stream);
    return;
  }
  if (body.kind === 'bytes' && body.bytes.length <= connection.inlineLimit && connection.tryTakeCredit(stream, body.bytes.length)) {
    writeHead(connection, stream, { ...head, body: Body.forSending(body.bytes, request.contentType), e: true });
    connection.localEnd(stream);
    return;
  }
  writeHead(connection, stream, { ...head, body: undefined, e: false });
  const textual = isJsonContentType(request.contentType) || isTextContentType(request.contentType);
  await connection.sendBody(stream, body.kind === 'bytes' ? single(body.bytes) : chunksOf(body.stream), textual);
}

function writeHead(connection: Connection, stream: Stream, frame: FrameOf<'req'>): void {
  try {
    connection.write(frame);
  } catch (error) {
    // §5.3: a head the server cannot take is not sent at all.
    connection.abandon(stream);
    throw new TypeError(`Failed to fetch: ${(error as Error).message}`, { cause: error });
  }
}

async function* single(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

function toResponse(
  frame: FrameOf<'res'>,
  request: PreparedRequest,
  connection: Connection,
  stream: Stream,
  finished: () => void,
  setBody: (body: IncomingBody) => void,
): Response | TypeError {
  if (frame.c < 200 || frame.c > 599) {
    return new TypeError(`Failed to fetch: status ${frame.c} cannot be represented by a Response`);
  }
  const init: ResponseInit = { status: frame.c, statusText: '', headers: fromHeaderList(frame.h) };
  let response: Response;
  if (request.method === 'HEAD' || nullBodyStatus.has(frame.c)) {
    // No body for the caller: whatever arrives is released at once (the connection consumes it).
    finished();
    response = new Response(null, init);
  } else {
    const body = new IncomingBody(
      (n) => connection.consumed(stream, n),
      () => connection.reset(stream, ErrorCode.Cancel),
      finished,
    );
    stream.body = body;
    setBody(body);
    response = new Response(body.readable, init);
  }
  // A Response made by script has an empty url; fetch's has the request's.
  Object.defineProperty(response, 'url', { value: request.url });
  return response;
}
