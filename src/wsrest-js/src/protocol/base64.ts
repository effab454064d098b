// Base64 of RFC 4648 §4 with padding, as §13.3 requires for `"de":"base64"`. Written out instead of
// btoa/atob because those work on "binary strings" (one char per byte), which costs a copy per byte,
// and atob accepts unpadded and whitespace-laden input that the spec calls malformed.

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const decodeTable = new Int16Array(128).fill(-1);
for (let i = 0; i < alphabet.length; i++) {
  decodeTable[alphabet.charCodeAt(i)] = i;
}

export function encodeBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  // Chunks keep String.fromCharCode's argument list short.
  const chunk = 3 * 4096;
  for (let start = 0; start < bytes.length; start += chunk) {
    const end = Math.min(start + chunk, bytes.length);
    const codes: number[] = [];
    let i = start;
    for (; i + 2 < end; i += 3) {
      const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
      codes.push(alphabet.charCodeAt(n >> 18), alphabet.charCodeAt((n >> 12) & 63), alphabet.charCodeAt((n >> 6) & 63), alphabet.charCodeAt(n & 63));
    }
    if (i < end) {
      const b0 = bytes[i]!;
      const b1 = i + 1 < end ? bytes[i + 1]! : 0;
      const n = (b0 << 16) | (b1 << 8);
      codes.push(alphabet.charCodeAt(n >> 18), alphabet.charCodeAt((n >> 12) & 63));
      codes.push(i + 1 < end ? alphabet.charCodeAt((n >> 6) & 63) : 61, 61);
    }
    parts.push(String.fromCharCode(...codes));
  }
  return parts.join('');
}

/** Decodes padded base64; returns undefined for anything else (wrong length, bad character, bad padding). */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) {
    return undefined;
  }
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = last && padding === 2 ? 0 : sextet(text, i + 2);
    const d = last && padding >= 1 ? 0 : sextet(text, i + 3);
    if ((a | b | c | d) < 0) {
      return undefined;
    }
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

function sextet(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? decodeTable[code]! : -1;
}
