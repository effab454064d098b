// Splits a message that JSON.parse has already accepted into its objects and, per object, the source
// text of each member. Bodies need their source text (§13.3: a JSON body is passed on byte for byte,
// which JSON.parse followed by JSON.stringify would not do for numbers such as 1.0 or 2^60), integers
// need it to reject fractions and exponents (§13.3), and duplicate names must be detected (§13.2).

/** The members of one JSON object: name to source text of the value. */
export type RawObject = Map<string, string>;

export class ScanError extends Error {}

/** Deeper nesting is a ProtocolError (§13.2, as the reference implementation). */
const maxDepth = 256;

/** A message: one object, or a non-empty array of objects (§13.2). */
export function scanMessage(text: string): RawObject[] {
  const scanner = new Scanner(text);
  scanner.skipWhitespace();
  const objects: RawObject[] = [];
  if (scanner.peek() === '[') {
    scanner.pos++;
    scanner.skipWhitespace();
    if (scanner.peek() === ']') throw new ScanError('An empty array is not a message');
    for (;;) {
      scanner.skipWhitespace();
      if (scanner.peek() !== '{') throw new ScanError('An array element is not a JSON object');
      objects.push(scanner.object());
      scanner.skipWhitespace();
      const next = scanner.text[scanner.pos++];
      if (next === ']') break;
      if (next !== ',') throw new ScanError('Malformed JSON');
    }
  } else if (scanner.peek() === '{') {
    objects.push(scanner.object());
  } else {
    throw new ScanError('A message must be a JSON object or an array of objects');
  }
  scanner.skipWhitespace();
  if (scanner.pos !== text.length) throw new ScanError('Malformed JSON');
  return objects;
}

/** The members of a JSON object given as source text (for nested objects such as settings). */
export function scanObject(text: string): RawObject {
  const scanner = new Scanner(text);
  scanner.skipWhitespace();
  if (scanner.peek() !== '{') throw new ScanError('Not a JSON object');
  return scanner.object();
}

class Scanner {
  pos = 0;

  constructor(readonly text: string) {}

  peek(): string | undefined {
    return this.text[this.pos];
  }

  skipWhitespace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else return;
    }
  }

  object(): RawObject {
    const members: RawObject = new Map();
    this.pos++; // '{'
    this.skipWhitespace();
    if (this.peek() === '}') {
      this.pos++;
      return members;
    }
    for (;;) {
      this.skipWhitespace();
      const keyStart = this.pos;
      this.skipString();
      const key = JSON.parse(this.text.slice(keyStart, this.pos)) as string;
      this.skipWhitespace();
      this.pos++; // ':'
      this.skipWhitespace();
      const valueStart = this.pos;
      this.skipValue();
      if (members.has(key)) throw new ScanError(`Duplicate member "${key}"`);
      members.set(key, this.text.slice(valueStart, this.pos));
      this.skipWhitespace();
      const next = this.text[this.pos++];
      if (next === '}') return members;
      if (next !== ',') throw new ScanError('Malformed JSON');
    }
  }

  private skipString(): void {
    if (this.peek() !== '"') throw new ScanError('Malformed JSON');
    let i = this.pos + 1;
    for (;;) {
      const quote = this.text.indexOf('"', i);
      if (quote < 0) throw new ScanError('Malformed JSON');
      let backslashes = 0;
      while (this.text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
      if (backslashes % 2 === 0) {
        this.pos = quote + 1;
        return;
      }
      i = quote + 1;
    }
  }

  private skipValue(): void {
    const c = this.peek();
    if (c === '"') {
      this.skipString();
      return;
    }
    if (c === '{' || c === '[') {
      let depth = 0;
      for (;;) {
        const ch = this.text[this.pos];
        if (ch === undefined) throw new ScanError('Malformed JSON');
        if (ch === '"') {
          this.skipString();
          continue;
        }
        if (ch === '{' || ch === '[') {
          if (++depth + 1 > maxDepth) throw new ScanError(`JSON nested deeper than ${maxDepth} levels`);
        } else if (ch === '}' || ch === ']') depth--;
        this.pos++;
        if (depth === 0) return;
      }
    }
    while (this.pos < this.text.length && !',}] \t\n\r'.includes(this.text[this.pos]!)) this.pos++;
  }
}
