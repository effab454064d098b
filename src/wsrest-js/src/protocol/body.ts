import { decodeBase64, encodeBase64 } from './base64.js';
import { isJsonContentType, isTextContentType } from './content-type.js';
import { utf8DecodeStrict, utf8Encode, utf8Length } from './utf8.js';

/** How `d` is written (§13.3): a JSON value (its source text), a string, or base64. */
export type BodyEncoding = 'json' | 'text' | 'base64';

/**
 * A body as `d`/`de` carry it. It stays in its wire form until someone needs bytes, so a JSON event
 * is parsed once (JSON.parse of its source text) and text is never encoded to bytes and back.
 */
export class Body {
  private cachedBytes: Uint8Array | undefined;
  private cachedLength = -1;
  private escaped: string | undefined;

  /** @param source for 'json' the JSON source text, for 'text' the string, for 'base64' the base64 text. */
  private constructor(readonly encoding: BodyEncoding, readonly source: string, bytes?: Uint8Array) {
    this.cachedBytes = bytes;
  }

  /** A body received as a JSON value whose source text is `json` (already known to be valid JSON). */
  static fromJsonSource(json: string): Body {
    return new Body('json', json);
  }

  static fromText(text: string): Body {
    return new Body('text', text);
  }

  /** A body received as base64; undefined if `base64` is not padded base64 (a ProtocolError for the caller). */
  static fromBase64(base64: string): Body | undefined {
    const bytes = decodeBase64(base64);
    return bytes === undefined ? undefined : new Body('base64', base64, bytes);
  }

  /**
   * A body to send, written the way §13.3 asks senders to choose: a JSON content type with a valid
   * JSON body as a JSON value, text (a text/* or JSON content type, or `textual`) as a string when the
   * bytes are UTF-8, anything else as base64. Text whose escaped form would be longer than base64
   * (control characters) goes as base64 too, as the reference sender does, so no body grows by more
   * than a third on the wire and chunk sizes can be derived from the peer's MaxMessageSize.
   */
  static forSending(bytes: Uint8Array, contentType: string | null | undefined, textual = false): Body {
    const json = isJsonContentType(contentType);
    if (json || textual || isTextContentType(contentType)) {
      const text = utf8DecodeStrict(bytes);
      if (text !== undefined) {
        if (json && isValidJson(text)) {
          return new Body('json', text, bytes);
        }
        const escaped = JSON.stringify(text);
        if (utf8Length(escaped) - 2 <= base64Length(bytes.length)) {
          const body = new Body('text', text, bytes);
          body.escaped = escaped;
          return body;
        }
      }
    }
    return new Body('base64', encodeBase64(bytes), bytes);
  }

  /** A string body to send: JSON when the content type says so and it parses, text otherwise. */
  static forSendingText(text: string, contentType: string | null | undefined): Body {
    return isJsonContentType(contentType) && isValidJson(text) ? new Body('json', text) : new Body('text', text);
  }

  /** The body bytes; flow control counts these (§13.3). */
  bytes(): Uint8Array {
    this.cachedBytes ??= this.encoding === 'base64' ? decodeBase64(this.source)! : utf8Encode(this.source);
    return this.cachedBytes;
  }

  get byteLength(): number {
    if (this.cachedBytes !== undefined) return this.cachedBytes.length;
    if (this.cachedLength < 0) this.cachedLength = utf8Length(this.source);
    return this.cachedLength;
  }

  /** The body as text (UTF-8 decoding of the bytes, lossy for non-UTF-8 base64). */
  text(): string {
    return this.encoding === 'base64' ? new TextDecoder().decode(this.bytes()) : this.source;
  }

  /**
   * The members `"d":...` (and `"de":...` where the reader could not tell the encoding from the JSON
   * type of `d`), without braces or a leading comma.
   */
  toMembers(): string {
    switch (this.encoding) {
      case 'json':
        // A string JSON value would read as text without "de" (§13.3 table).
        return this.source.trimStart().startsWith('"') ? `"d":${this.source},"de":"json"` : `"d":${this.source}`;
      case 'text':
        return `"d":${this.escaped ?? JSON.stringify(this.source)}`;
      case 'base64':
        return `"d":"${this.source}","de":"base64"`;
    }
  }
}

/**
 * Valid JSON that can travel as a JSON value byte for byte: the body of `"d":value` is the value's own
 * text (§13.3), so whitespace around it would be lost; such a body goes as text instead.
 */
function isValidJson(text: string): boolean {
  if (text.length === 0 || isJsonWhitespace(text.charCodeAt(0)) || isJsonWhitespace(text.charCodeAt(text.length - 1))) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    // Not JSON after all: the caller sends it as text.
    return false;
  }
}

/** Characters of the padded base64 of `n` bytes. */
export function base64Length(n: number): number {
  return Math.ceil(n / 3) * 4;
}

function isJsonWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}
