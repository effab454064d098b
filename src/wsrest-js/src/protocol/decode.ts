import { Body } from './body.js';
import { ErrorCode } from './error-codes.js';
import type { AckKind, Frame, HeaderList, Settings } from './frames.js';
import { type RawObject, ScanError, scanMessage, scanObject } from './json-scan.js';

/** A message that breaks §13.2–§13.4: a connection error with this code (ProtocolError unless §7 says otherwise). */
export class FrameDecodeError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'FrameDecodeError';
  }
}

const maxInt31 = 2 ** 31 - 1;
const maxSafe = Number.MAX_SAFE_INTEGER;
const integerSyntax = /^(0|[1-9][0-9]*)$/;
const tokenSyntax = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const ackKinds: ReadonlySet<string> = new Set(['subscribed', 'unsubscribed', 'published', 'refused']);

/** Decodes one text message into its frames (§13.2). Throws FrameDecodeError for anything malformed. */
export function decodeMessage(text: string): Frame[] {
  try {
    JSON.parse(text);
  } catch {
    // The exception text differs per engine; the peer only needs to know the JSON was malformed.
    throw new FrameDecodeError(ErrorCode.ProtocolError, 'Malformed JSON');
  }
  let objects: RawObject[];
  try {
    objects = scanMessage(text);
  } catch (error) {
    if (error instanceof ScanError) throw new FrameDecodeError(ErrorCode.ProtocolError, error.message);
    throw error;
  }
  return objects.map(decodeFrame);
}

/** True when the message is a JSON array (several frames); handshake messages must not be (§13.2). */
export function isBatch(text: string): boolean {
  return text.trimStart().startsWith('[');
}

function decodeFrame(raw: RawObject): Frame {
  const m = new Members(raw);
  let t = m.optionalString('t');
  if (t === undefined) {
    if (raw.has('m')) t = 'req';
    else if (raw.has('c')) t = 'res';
    else throw protocolError('A frame without "t" needs "m" (request) or "c" (response)');
  }
  switch (t) {
    case 'hello': {
      const frame: Frame = { t, v: m.int('v', maxInt31) };
      const s = m.settings('s');
      if (s) frame.s = s;
      const md = m.headers('md', false);
      if (md.length) frame.md = md;
      const prev = m.optionalString('prev');
      if (prev !== undefined) frame.prev = connectionId(prev, 'prev');
      const auth = m.optionalString('auth');
      if (auth !== undefined) frame.auth = auth;
      return frame;
    }
    case 'welcome': {
      const frame: Frame = { t, v: m.int('v', maxInt31), id: connectionId(m.string('id'), 'id') };
      const s = m.settings('s');
      if (s) frame.s = s;
      return frame;
    }
    case 'ready':
      return { t };
    case 'req': {
      const method = m.string('m');
      if (!tokenSyntax.test(method)) throw protocolError(`"m" is not a method token`);
      return { t, uid: m.int('uid', maxInt31), m: method, r: m.string('r'), h: m.headers('h', true), body: m.body(), e: m.bool('e', true) };
    }
    case 'res': {
      const c = m.int('c', 999);
      if (c < 100) throw protocolError('"c" must be a status code from 100 to 999');
      return { t, uid: m.int('uid', maxInt31), c, h: m.headers('h', true), body: m.body(), e: m.bool('e', true) };
    }
    case 'data':
      return { t, uid: m.int('uid', maxInt31), body: m.body(), e: m.bool('e', false) };
    case 'window': {
      const n = m.int('n', maxSafe);
      // §7: an increment of 0 or above 2^31-1 is a flow-control error, not a malformed frame.
      if (n === 0 || n > maxInt31) throw new FrameDecodeError(ErrorCode.FlowControlError, `WINDOW increment ${n} is out of range`);
      return { t, uid: m.optionalInt('uid', maxInt31, 0), n };
    }
    case 'cancel':
      return { t, uid: m.int('uid', maxInt31), code: m.code() };
    case 'goaway':
      return { t, last: m.int('last', maxInt31), code: m.code(), reason: m.optionalString('reason') ?? '' };
    case 'error':
      return { t, code: m.code(), reason: m.optionalString('reason') ?? '' };
    case 'ping':
    case 'pong':
      return { t, p: opaque(m.string('p')) };
    case 'sub': {
      const frame: Frame = { t, uid: m.int('uid', maxInt31), topic: m.string('topic'), from: m.optionalInt('from', maxSafe, 0) };
      const epoch = m.optionalInt('epoch', maxSafe, 0);
      if (epoch) frame.epoch = epoch;
      return frame;
    }
    case 'unsub':
      return { t, uid: m.int('uid', maxInt31) };
    case 'ack': {
      const k = m.string('k');
      if (!ackKinds.has(k)) throw protocolError(`Unknown ACK kind "${k}"`);
      return { t, uid: m.int('uid', maxInt31), k: k as AckKind, seq: m.optionalInt('seq', maxSafe, 0), reason: m.optionalString('reason') ?? '' };
    }
    case 'event': {
      const seq = m.int('seq', maxSafe);
      if (seq < 1) throw protocolError('An event\'s "seq" must be at least 1');
      return { t, uid: m.int('uid', maxInt31), seq, ct: m.optionalString('ct'), body: m.body() };
    }
    case 'gap': {
      const from = m.int('from', maxSafe);
      const to = m.int('to', maxSafe);
      if (from < 1 || to < from) throw protocolError('A gap needs 1 <= "from" <= "to"');
      return { t, uid: m.int('uid', maxInt31), from, to };
    }
    case 'epoch': {
      const epoch = m.int('epoch', maxSafe);
      if (epoch < 1) throw protocolError('An epoch must be at least 1');
      return { t, uid: m.int('uid', maxInt31), epoch };
    }
    case 'pub':
      return { t, uid: m.int('uid', maxInt31), topic: m.string('topic'), ct: m.optionalString('ct'), body: m.body() };
    default:
      throw protocolError(`Unknown frame type "${t}"`);
  }
}

function protocolError(message: string): FrameDecodeError {
  return new FrameDecodeError(ErrorCode.ProtocolError, message);
}

function connectionId(value: string, name: string): string {
  if (!/^[0-9a-f]{32}$/.test(value)) throw protocolError(`"${name}" must be 32 lowercase hex digits`);
  return value;
}

function opaque(value: string): string {
  if (!/^[0-9a-fA-F]{16}$/.test(value)) throw protocolError('"p" must be 16 hex digits');
  return value;
}

/** Typed access to the members of one object; every accessor throws ProtocolError on a wrong type. */
class Members {
  constructor(private readonly raw: RawObject) {}

  private parsed(name: string): unknown {
    const source = this.raw.get(name);
    return source === undefined ? undefined : JSON.parse(source);
  }

  string(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined) throw protocolError(`Missing member "${name}"`);
    return value;
  }

  optionalString(name: string): string | undefined {
    const value = this.parsed(name);
    if (value !== undefined && typeof value !== 'string') throw protocolError(`"${name}" must be a string`);
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.parsed(name);
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw protocolError(`"${name}" must be true or false`);
    return value;
  }

  int(name: string, max: number): number {
    const source = this.raw.get(name);
    if (source === undefined) throw protocolError(`Missing member "${name}"`);
    return integer(source, name, max);
  }

  optionalInt(name: string, max: number, fallback: number): number {
    const source = this.raw.get(name);
    return source === undefined ? fallback : integer(source, name, max);
  }

  /** Error codes above 2^31-1 read as 2^31-1 (§8). */
  code(): number {
    return Math.min(this.int('code', maxSafe), maxInt31);
  }

  headers(name: string, validate: boolean): HeaderList {
    const value = this.parsed(name);
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw protocolError(`"${name}" must be an array of [name, value] pairs`);
    for (const pair of value) {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
        throw protocolError(`"${name}" must be an array of [name, value] pairs of strings`);
      }
      if (validate && (!tokenSyntax.test(pair[0]) || /[\r\n\0]/.test(pair[1]))) {
        throw protocolError(`Invalid header ${JSON.stringify(pair[0])}`);
      }
    }
    return value as HeaderList;
  }

  settings(name: string): Settings | undefined {
    const source = this.raw.get(name);
    if (source === undefined) return undefined;
    if (!source.startsWith('{')) throw protocolError(`"${name}" must be an object`);
    const members = scanObject(source);
    const settings: Settings = {};
    for (const key of ['mcs', 'isw', 'icw', 'mms', 'mhl', 'hb', 'ps'] as const) {
      const value = members.get(key);
      if (value !== undefined) settings[key] = integer(value, `${name}.${key}`, maxInt31);
    }
    if (settings.mms !== undefined && settings.mms < 4096) throw protocolError('"mms" must be at least 4096');
    if (settings.isw === 0 || settings.icw === 0) throw protocolError('A window setting must be at least 1');
    return settings;
  }

  body(): Body | undefined {
    const d = this.raw.get('d');
    const de = this.optionalString('de');
    if (d === undefined) {
      if (de !== undefined) throw protocolError('"de" without "d"');
      return undefined;
    }
    const isString = d.startsWith('"');
    switch (de) {
      case undefined:
        return isString ? Body.fromText(JSON.parse(d) as string) : Body.fromJsonSource(d);
      case 'json':
        return Body.fromJsonSource(d);
      case 'text':
        if (!isString) throw protocolError('"de":"text" needs a string "d"');
        return Body.fromText(JSON.parse(d) as string);
      case 'base64': {
        if (!isString) throw protocolError('"de":"base64" needs a string "d"');
        const body = Body.fromBase64(JSON.parse(d) as string);
        if (!body) throw protocolError('"d" is not padded base64');
        return body;
      }
      default:
        throw protocolError(`Unknown data encoding "${de}"`);
    }
  }
}

function integer(source: string, name: string, max: number): number {
  if (!integerSyntax.test(source)) throw protocolError(`"${name}" must be a non-negative integer without fraction or exponent`);
  const value = Number(source);
  if (value > max) throw protocolError(`"${name}" is out of range`);
  return value;
}
