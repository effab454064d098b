let supported: boolean | undefined;

/**
 * Whether `new Request(url, { body: ReadableStream, duplex: 'half' })` keeps the stream as the body.
 * Firefox and Safari do not (they stringify it), so bodies must not go through Request there.
 */
export function requestStreamsSupported(): boolean {
  if (supported === undefined) {
    let duplexRead = false;
    try {
      const request = new Request('http://localhost/', {
        method: 'POST',
        body: new ReadableStream(),
        get duplex() {
          duplexRead = true;
          return 'half';
        },
      } as RequestInit);
      // A stringified stream gets a text/plain content type; a real stream body gets none.
      supported = duplexRead && !request.headers.has('content-type');
    } catch {
      // The constructor rejects stream bodies outright: not supported either.
      supported = false;
    }
  }
  return supported;
}
