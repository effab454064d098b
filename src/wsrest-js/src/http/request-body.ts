/** A request body as the sender needs it: nothing, bytes of known length (inline or DATA), or a stream. */
export type OutgoingBody = { kind: 'none' } | { kind: 'bytes'; bytes: Uint8Array } | { kind: 'stream'; stream: ReadableStream<Uint8Array> };

/**
 * Reads what the Request made of the caller's body; a ReadableStream the caller passed in `init` is
 * taken as it is (`stream`), since Firefox and Safari cannot put one in a Request. Bodies of known length (string, ArrayBuffer, typed
 * arrays, Blob, URLSearchParams, FormData) are buffered so they can go inline and be retried on another
 * connection; a stream is sent as it is produced.
 */
export async function readRequestBody(request: Request, stream: ReadableStream<Uint8Array> | undefined): Promise<OutgoingBody> {
  if (stream) return { kind: 'stream', stream };
  if (request.body === null) return { kind: 'none' };
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
