/** A request body as the sender needs it: nothing, bytes of known length (inline or DATA), or a stream. */
export type OutgoingBody = { kind: 'none' } | { kind: 'bytes'; bytes: Uint8Array } | { kind: 'stream'; stream: ReadableStream<Uint8Array> };

/**
 * Reads what the Request made of the caller's body. Bodies of known length (string, ArrayBuffer, typed
 * arrays, Blob, URLSearchParams, FormData) are buffered so they can go inline and be retried on another
 * connection; a ReadableStream the caller passed is streamed as it is produced.
 */
export async function readRequestBody(request: Request, input: RequestInfo | URL, init: RequestInit | undefined): Promise<OutgoingBody> {
  if (request.body === null) return { kind: 'none' };
  const source = init?.body !== undefined ? init.body : input instanceof Request ? input.body : null;
  if (source instanceof ReadableStream) return { kind: 'stream', stream: request.body };
  return { kind: 'bytes', bytes: new Uint8Array(await request.arrayBuffer()) };
}

/** The chunks of a stream as an async iterable (Safari's ReadableStream has no async iterator). */
export function chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  return readerChunks(stream.getReader());
}

/** The remaining chunks of a reader; an early stop cancels the source. */
export async function* readerChunks(reader: ReadableStreamDefaultReader<Uint8Array>): AsyncGenerator<Uint8Array> {
  let finished = false;
  try {
    for (;;) {
      const { done, value } = (await reader.read()) as ReadableStreamReadResult<unknown>;
      if (done) {
        finished = true;
        return;
      }
      if (!(value instanceof Uint8Array)) throw new TypeError('A request body stream must produce Uint8Array chunks');
      if (value.length > 0) yield value;
    }
  } finally {
    // Stopped early (the stream was reset): tell the producer nobody reads any more.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
