import type { Body } from '../protocol/body.js';
import { isJsonContentType, isTextContentType } from '../protocol/content-type.js';

/** An event's data for the handler: parsed JSON for JSON content types, a string for text, bytes otherwise. */
export function eventData(body: Body | undefined, contentType: string | undefined): unknown {
  if (isJsonContentType(contentType)) {
    if (!body) return null;
    const text = body.text();
    try {
      return JSON.parse(text);
    } catch {
      // Labelled JSON but is not: the handler still gets the text rather than nothing.
      return text;
    }
  }
  if (isTextContentType(contentType)) return body ? body.text() : '';
  return body ? body.bytes() : new Uint8Array(0);
}

/** What publish sends for `data`, and the content type it defaults to. */
export function publishPayload(data: unknown, contentType: string | undefined): { bytes: Uint8Array | string; contentType: string } {
  if (typeof data === 'string') return { bytes: data, contentType: contentType ?? 'text/plain; charset=utf-8' };
  if (data instanceof Uint8Array) return { bytes: data, contentType: contentType ?? 'application/octet-stream' };
  if (data instanceof ArrayBuffer) return { bytes: new Uint8Array(data), contentType: contentType ?? 'application/octet-stream' };
  if (ArrayBuffer.isView(data)) return { bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), contentType: contentType ?? 'application/octet-stream' };
  const json = JSON.stringify(data);
  if (json === undefined) throw new TypeError('publish: data is not serialisable as JSON');
  return { bytes: json, contentType: contentType ?? 'application/json' };
}
