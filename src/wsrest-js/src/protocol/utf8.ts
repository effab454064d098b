const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8, or returns undefined when the bytes are not well-formed UTF-8. */
export function utf8DecodeStrict(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    // Not UTF-8: the caller sends the bytes as base64 instead (§13.3).
    return undefined;
  }
}

/** The UTF-8 length of a string without encoding it (flow control and message sizes count bytes, §13.2). */
export function utf8Length(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) {
      length += 1;
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: 4 bytes for 2 UTF-16 units.
      length += 2;
      i++;
    } else {
      // Other BMP characters and lone surrogates (encoded as U+FFFD): 3 bytes.
      length += 2;
    }
  }
  return length;
}
