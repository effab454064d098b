// The WsRest browser client (src/wsrest-js), bundled by samples/PetStore/build-web-client.sh with esbuild 0.25.12. Do not edit.
// wsrest-js sources SHA-256: 034df8e9293306c3501d4fff9cd9577bbd47633a2180ee646c48f7d5eec9d315
// src/protocol/error-codes.ts
var ErrorCode = {
  NoError: 0,
  ProtocolError: 1,
  InternalError: 2,
  FlowControlError: 3,
  RefusedStream: 4,
  Cancel: 5,
  MessageTooLarge: 6,
  HandshakeTimeout: 7,
  UnsupportedVersion: 8,
  GoingAway: 9
};
var names = new Map(Object.entries(ErrorCode).map(([name, code]) => [code, name]));
function errorCodeName(code) {
  return names.get(code) ?? String(code);
}

// src/client/errors.ts
var WsRestError = class _WsRestError extends Error {
  constructor(message, code, options) {
    super(message, options);
    this.code = code;
    this.name = "WsRestError";
  }
  /** An error from the peer's ERROR frame or our own detection of a protocol violation. */
  static fromCode(code, reason, options) {
    return new _WsRestError(`${errorCodeName(code)}${reason ? `: ${reason}` : ""}`, code, options);
  }
};
var WsRestRefusedError = class extends WsRestError {
  constructor(message, code, options) {
    super(message, code, options);
    this.name = "WsRestRefusedError";
  }
};
function networkError(cause, operation = "Failed to fetch") {
  const detail = cause instanceof Error ? `: ${cause.message}` : "";
  return new TypeError(`${operation} (the WsRest connection was lost${detail})`, { cause });
}

// src/protocol/base64.ts
var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
var decodeTable = new Int16Array(128).fill(-1);
for (let i = 0; i < alphabet.length; i++) {
  decodeTable[alphabet.charCodeAt(i)] = i;
}
function encodeBase64(bytes) {
  const parts = [];
  const chunk = 3 * 4096;
  for (let start = 0; start < bytes.length; start += chunk) {
    const end = Math.min(start + chunk, bytes.length);
    const codes = [];
    let i = start;
    for (; i + 2 < end; i += 3) {
      const n = bytes[i] << 16 | bytes[i + 1] << 8 | bytes[i + 2];
      codes.push(alphabet.charCodeAt(n >> 18), alphabet.charCodeAt(n >> 12 & 63), alphabet.charCodeAt(n >> 6 & 63), alphabet.charCodeAt(n & 63));
    }
    if (i < end) {
      const b0 = bytes[i];
      const b1 = i + 1 < end ? bytes[i + 1] : 0;
      const n = b0 << 16 | b1 << 8;
      codes.push(alphabet.charCodeAt(n >> 18), alphabet.charCodeAt(n >> 12 & 63));
      codes.push(i + 1 < end ? alphabet.charCodeAt(n >> 6 & 63) : 61, 61);
    }
    parts.push(String.fromCharCode(...codes));
  }
  return parts.join("");
}
function decodeBase64(text) {
  if (text.length % 4 !== 0) {
    return void 0;
  }
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const out = new Uint8Array(text.length / 4 * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = last && padding === 2 ? 0 : sextet(text, i + 2);
    const d = last && padding >= 1 ? 0 : sextet(text, i + 3);
    if ((a | b | c | d) < 0) {
      return void 0;
    }
    const n = a << 18 | b << 12 | c << 6 | d;
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = n >> 8 & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}
function sextet(text, index) {
  const code = text.charCodeAt(index);
  return code < 128 ? decodeTable[code] : -1;
}

// src/protocol/content-type.ts
function isJsonContentType(contentType) {
  const essence = mediaType(contentType);
  return essence === "application/json" || essence.endsWith("+json");
}
function isTextContentType(contentType) {
  return mediaType(contentType).startsWith("text/");
}
function mediaType(contentType) {
  if (!contentType) return "";
  const semicolon = contentType.indexOf(";");
  return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

// src/protocol/utf8.ts
var encoder = new TextEncoder();
var strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
function utf8Encode(text) {
  return encoder.encode(text);
}
function utf8DecodeStrict(bytes) {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return void 0;
  }
}
function utf8Length(text) {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 128) continue;
    if (code < 2048) {
      length += 1;
    } else if (code >= 55296 && code <= 56319 && i + 1 < text.length && (text.charCodeAt(i + 1) & 64512) === 56320) {
      length += 2;
      i++;
    } else {
      length += 2;
    }
  }
  return length;
}

// src/protocol/body.ts
var Body = class _Body {
  /** @param source for 'json' the JSON source text, for 'text' the string, for 'base64' the base64 text. */
  constructor(encoding, source, bytes) {
    this.encoding = encoding;
    this.source = source;
    this.cachedBytes = bytes;
  }
  cachedBytes;
  cachedLength = -1;
  escaped;
  /** A body received as a JSON value whose source text is `json` (already known to be valid JSON). */
  static fromJsonSource(json) {
    return new _Body("json", json);
  }
  static fromText(text) {
    return new _Body("text", text);
  }
  /** A body received as base64; undefined if `base64` is not padded base64 (a ProtocolError for the caller). */
  static fromBase64(base64) {
    const bytes = decodeBase64(base64);
    return bytes === void 0 ? void 0 : new _Body("base64", base64, bytes);
  }
  /**
   * A body to send, written the way §13.3 asks senders to choose: a JSON content type with a valid
   * JSON body as a JSON value, text (a text/* or JSON content type, or `textual`) as a string when the
   * bytes are UTF-8, anything else as base64. Text whose escaped form would be longer than base64
   * (control characters) goes as base64 too, as the reference sender does, so no body grows by more
   * than a third on the wire and chunk sizes can be derived from the peer's MaxMessageSize.
   */
  static forSending(bytes, contentType, textual = false) {
    const json = isJsonContentType(contentType);
    if (json || textual || isTextContentType(contentType)) {
      const text = utf8DecodeStrict(bytes);
      if (text !== void 0) {
        if (json && isValidJson(text)) {
          return new _Body("json", text, bytes);
        }
        const escaped = JSON.stringify(text);
        if (utf8Length(escaped) - 2 <= base64Length(bytes.length)) {
          const body2 = new _Body("text", text, bytes);
          body2.escaped = escaped;
          return body2;
        }
      }
    }
    return new _Body("base64", encodeBase64(bytes), bytes);
  }
  /** A string body to send: JSON when the content type says so and it parses, text otherwise. */
  static forSendingText(text, contentType) {
    return isJsonContentType(contentType) && isValidJson(text) ? new _Body("json", text) : new _Body("text", text);
  }
  /** The body bytes; flow control counts these (§13.3). */
  bytes() {
    this.cachedBytes ??= this.encoding === "base64" ? decodeBase64(this.source) : utf8Encode(this.source);
    return this.cachedBytes;
  }
  get byteLength() {
    if (this.cachedBytes !== void 0) return this.cachedBytes.length;
    if (this.cachedLength < 0) this.cachedLength = utf8Length(this.source);
    return this.cachedLength;
  }
  /** The body as text (UTF-8 decoding of the bytes, lossy for non-UTF-8 base64). */
  text() {
    return this.encoding === "base64" ? new TextDecoder().decode(this.bytes()) : this.source;
  }
  /**
   * The members `"d":...` (and `"de":...` where the reader could not tell the encoding from the JSON
   * type of `d`), without braces or a leading comma.
   */
  toMembers() {
    switch (this.encoding) {
      case "json":
        return this.source.trimStart().startsWith('"') ? `"d":${this.source},"de":"json"` : `"d":${this.source}`;
      case "text":
        return `"d":${this.escaped ?? JSON.stringify(this.source)}`;
      case "base64":
        return `"d":"${this.source}","de":"base64"`;
    }
  }
};
function isValidJson(text) {
  if (text.length === 0 || isJsonWhitespace(text.charCodeAt(0)) || isJsonWhitespace(text.charCodeAt(text.length - 1))) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
function base64Length(n) {
  return Math.ceil(n / 3) * 4;
}
function isJsonWhitespace(code) {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

// src/protocol/json-scan.ts
var ScanError = class extends Error {
};
var maxDepth = 256;
function scanMessage(text) {
  const scanner = new Scanner(text);
  scanner.skipWhitespace();
  const objects = [];
  if (scanner.peek() === "[") {
    scanner.pos++;
    scanner.skipWhitespace();
    if (scanner.peek() === "]") throw new ScanError("An empty array is not a message");
    for (; ; ) {
      scanner.skipWhitespace();
      if (scanner.peek() !== "{") throw new ScanError("An array element is not a JSON object");
      objects.push(scanner.object());
      scanner.skipWhitespace();
      const next = scanner.text[scanner.pos++];
      if (next === "]") break;
      if (next !== ",") throw new ScanError("Malformed JSON");
    }
  } else if (scanner.peek() === "{") {
    objects.push(scanner.object());
  } else {
    throw new ScanError("A message must be a JSON object or an array of objects");
  }
  scanner.skipWhitespace();
  if (scanner.pos !== text.length) throw new ScanError("Malformed JSON");
  return objects;
}
function scanObject(text) {
  const scanner = new Scanner(text);
  scanner.skipWhitespace();
  if (scanner.peek() !== "{") throw new ScanError("Not a JSON object");
  return scanner.object();
}
var Scanner = class {
  constructor(text) {
    this.text = text;
  }
  pos = 0;
  peek() {
    return this.text[this.pos];
  }
  skipWhitespace() {
    for (; ; ) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.pos++;
      else return;
    }
  }
  object() {
    const members = /* @__PURE__ */ new Map();
    this.pos++;
    this.skipWhitespace();
    if (this.peek() === "}") {
      this.pos++;
      return members;
    }
    for (; ; ) {
      this.skipWhitespace();
      const keyStart = this.pos;
      this.skipString();
      const key = JSON.parse(this.text.slice(keyStart, this.pos));
      this.skipWhitespace();
      this.pos++;
      this.skipWhitespace();
      const valueStart = this.pos;
      this.skipValue();
      if (members.has(key)) throw new ScanError(`Duplicate member "${key}"`);
      members.set(key, this.text.slice(valueStart, this.pos));
      this.skipWhitespace();
      const next = this.text[this.pos++];
      if (next === "}") return members;
      if (next !== ",") throw new ScanError("Malformed JSON");
    }
  }
  skipString() {
    if (this.peek() !== '"') throw new ScanError("Malformed JSON");
    let i = this.pos + 1;
    for (; ; ) {
      const quote = this.text.indexOf('"', i);
      if (quote < 0) throw new ScanError("Malformed JSON");
      let backslashes = 0;
      while (this.text.charCodeAt(quote - 1 - backslashes) === 92) backslashes++;
      if (backslashes % 2 === 0) {
        this.pos = quote + 1;
        return;
      }
      i = quote + 1;
    }
  }
  skipValue() {
    const c = this.peek();
    if (c === '"') {
      this.skipString();
      return;
    }
    if (c === "{" || c === "[") {
      let depth = 0;
      for (; ; ) {
        const ch = this.text[this.pos];
        if (ch === void 0) throw new ScanError("Malformed JSON");
        if (ch === '"') {
          this.skipString();
          continue;
        }
        if (ch === "{" || ch === "[") {
          if (++depth + 1 > maxDepth) throw new ScanError(`JSON nested deeper than ${maxDepth} levels`);
        } else if (ch === "}" || ch === "]") depth--;
        this.pos++;
        if (depth === 0) return;
      }
    }
    while (this.pos < this.text.length && !",}] 	\n\r".includes(this.text[this.pos])) this.pos++;
  }
};

// src/protocol/decode.ts
var FrameDecodeError = class extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
    this.name = "FrameDecodeError";
  }
};
var maxInt31 = 2 ** 31 - 1;
var maxSafe = Number.MAX_SAFE_INTEGER;
var integerSyntax = /^(0|[1-9][0-9]*)$/;
var tokenSyntax = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
var ackKinds = /* @__PURE__ */ new Set(["subscribed", "unsubscribed", "published", "refused"]);
function decodeMessage(text) {
  try {
    JSON.parse(text);
  } catch {
    throw new FrameDecodeError(ErrorCode.ProtocolError, "Malformed JSON");
  }
  let objects;
  try {
    objects = scanMessage(text);
  } catch (error) {
    if (error instanceof ScanError) throw new FrameDecodeError(ErrorCode.ProtocolError, error.message);
    throw error;
  }
  return objects.map(decodeFrame);
}
function isBatch(text) {
  return text.trimStart().startsWith("[");
}
function decodeFrame(raw) {
  const m = new Members(raw);
  let t = m.optionalString("t");
  if (t === void 0) {
    if (raw.has("m")) t = "req";
    else if (raw.has("c")) t = "res";
    else throw protocolError('A frame without "t" needs "m" (request) or "c" (response)');
  }
  switch (t) {
    case "hello": {
      const frame = { t, v: m.int("v", maxInt31) };
      const s = m.settings("s");
      if (s) frame.s = s;
      const md = m.headers("md", false);
      if (md.length) frame.md = md;
      const prev = m.optionalString("prev");
      if (prev !== void 0) frame.prev = connectionId(prev, "prev");
      const auth = m.optionalString("auth");
      if (auth !== void 0) frame.auth = auth;
      return frame;
    }
    case "welcome": {
      const frame = { t, v: m.int("v", maxInt31), id: connectionId(m.string("id"), "id") };
      const s = m.settings("s");
      if (s) frame.s = s;
      return frame;
    }
    case "ready":
      return { t };
    case "req": {
      const method = m.string("m");
      if (!tokenSyntax.test(method)) throw protocolError(`"m" is not a method token`);
      return { t, uid: m.int("uid", maxInt31), m: method, r: m.string("r"), h: m.headers("h", true), body: m.body(), e: m.bool("e", true) };
    }
    case "res": {
      const c = m.int("c", 999);
      if (c < 100) throw protocolError('"c" must be a status code from 100 to 999');
      return { t, uid: m.int("uid", maxInt31), c, h: m.headers("h", true), body: m.body(), e: m.bool("e", true) };
    }
    case "data":
      return { t, uid: m.int("uid", maxInt31), body: m.body(), e: m.bool("e", false) };
    case "window": {
      const n = m.int("n", maxSafe);
      if (n === 0 || n > maxInt31) throw new FrameDecodeError(ErrorCode.FlowControlError, `WINDOW increment ${n} is out of range`);
      return { t, uid: m.optionalInt("uid", maxInt31, 0), n };
    }
    case "cancel":
      return { t, uid: m.int("uid", maxInt31), code: m.code() };
    case "goaway":
      return { t, last: m.int("last", maxInt31), code: m.code(), reason: m.optionalString("reason") ?? "" };
    case "error":
      return { t, code: m.code(), reason: m.optionalString("reason") ?? "" };
    case "ping":
    case "pong":
      return { t, p: opaque(m.string("p")) };
    case "sub": {
      const frame = { t, uid: m.int("uid", maxInt31), topic: m.string("topic"), from: m.optionalInt("from", maxSafe, 0) };
      const epoch = m.optionalInt("epoch", maxSafe, 0);
      if (epoch) frame.epoch = epoch;
      return frame;
    }
    case "unsub":
      return { t, uid: m.int("uid", maxInt31) };
    case "ack": {
      const k = m.string("k");
      if (!ackKinds.has(k)) throw protocolError(`Unknown ACK kind "${k}"`);
      return { t, uid: m.int("uid", maxInt31), k, seq: m.optionalInt("seq", maxSafe, 0), reason: m.optionalString("reason") ?? "" };
    }
    case "event": {
      const seq = m.int("seq", maxSafe);
      if (seq < 1) throw protocolError(`An event's "seq" must be at least 1`);
      return { t, uid: m.int("uid", maxInt31), seq, ct: m.optionalString("ct"), body: m.body() };
    }
    case "gap": {
      const from = m.int("from", maxSafe);
      const to = m.int("to", maxSafe);
      if (from < 1 || to < from) throw protocolError('A gap needs 1 <= "from" <= "to"');
      return { t, uid: m.int("uid", maxInt31), from, to };
    }
    case "epoch": {
      const epoch = m.int("epoch", maxSafe);
      if (epoch < 1) throw protocolError("An epoch must be at least 1");
      return { t, uid: m.int("uid", maxInt31), epoch };
    }
    case "pub":
      return { t, uid: m.int("uid", maxInt31), topic: m.string("topic"), ct: m.optionalString("ct"), body: m.body() };
    default:
      throw protocolError(`Unknown frame type "${t}"`);
  }
}
function protocolError(message) {
  return new FrameDecodeError(ErrorCode.ProtocolError, message);
}
function connectionId(value, name) {
  if (!/^[0-9a-f]{32}$/.test(value)) throw protocolError(`"${name}" must be 32 lowercase hex digits`);
  return value;
}
function opaque(value) {
  if (!/^[0-9a-fA-F]{16}$/.test(value)) throw protocolError('"p" must be 16 hex digits');
  return value;
}
var Members = class {
  constructor(raw) {
    this.raw = raw;
  }
  parsed(name) {
    const source = this.raw.get(name);
    return source === void 0 ? void 0 : JSON.parse(source);
  }
  string(name) {
    const value = this.optionalString(name);
    if (value === void 0) throw protocolError(`Missing member "${name}"`);
    return value;
  }
  optionalString(name) {
    const value = this.parsed(name);
    if (value !== void 0 && typeof value !== "string") throw protocolError(`"${name}" must be a string`);
    return value;
  }
  bool(name, fallback) {
    const value = this.parsed(name);
    if (value === void 0) return fallback;
    if (typeof value !== "boolean") throw protocolError(`"${name}" must be true or false`);
    return value;
  }
  int(name, max) {
    const source = this.raw.get(name);
    if (source === void 0) throw protocolError(`Missing member "${name}"`);
    return integer(source, name, max);
  }
  optionalInt(name, max, fallback) {
    const source = this.raw.get(name);
    return source === void 0 ? fallback : integer(source, name, max);
  }
  /** Error codes above 2^31-1 read as 2^31-1 (§8). */
  code() {
    return Math.min(this.int("code", maxSafe), maxInt31);
  }
  headers(name, validate) {
    const value = this.parsed(name);
    if (value === void 0) return [];
    if (!Array.isArray(value)) throw protocolError(`"${name}" must be an array of [name, value] pairs`);
    for (const pair of value) {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string" || typeof pair[1] !== "string") {
        throw protocolError(`"${name}" must be an array of [name, value] pairs of strings`);
      }
      if (validate && (!tokenSyntax.test(pair[0]) || /[\r\n\0]/.test(pair[1]))) {
        throw protocolError(`Invalid header ${JSON.stringify(pair[0])}`);
      }
    }
    return value;
  }
  settings(name) {
    const source = this.raw.get(name);
    if (source === void 0) return void 0;
    if (!source.startsWith("{")) throw protocolError(`"${name}" must be an object`);
    const members = scanObject(source);
    const settings2 = {};
    for (const key of ["mcs", "isw", "icw", "mms", "mhl", "hb", "ps"]) {
      const value = members.get(key);
      if (value !== void 0) settings2[key] = integer(value, `${name}.${key}`, maxInt31);
    }
    if (settings2.mms !== void 0 && settings2.mms < 4096) throw protocolError('"mms" must be at least 4096');
    if (settings2.isw === 0 || settings2.icw === 0) throw protocolError("A window setting must be at least 1");
    return settings2;
  }
  body() {
    const d = this.raw.get("d");
    const de = this.optionalString("de");
    if (d === void 0) {
      if (de !== void 0) throw protocolError('"de" without "d"');
      return void 0;
    }
    const isString = d.startsWith('"');
    switch (de) {
      case void 0:
        return isString ? Body.fromText(JSON.parse(d)) : Body.fromJsonSource(d);
      case "json":
        return Body.fromJsonSource(d);
      case "text":
        if (!isString) throw protocolError('"de":"text" needs a string "d"');
        return Body.fromText(JSON.parse(d));
      case "base64": {
        if (!isString) throw protocolError('"de":"base64" needs a string "d"');
        const body2 = Body.fromBase64(JSON.parse(d));
        if (!body2) throw protocolError('"d" is not padded base64');
        return body2;
      }
      default:
        throw protocolError(`Unknown data encoding "${de}"`);
    }
  }
};
function integer(source, name, max) {
  if (!integerSyntax.test(source)) throw protocolError(`"${name}" must be a non-negative integer without fraction or exponent`);
  const value = Number(source);
  if (value > max) throw protocolError(`"${name}" is out of range`);
  return value;
}

// src/engine/heartbeat.ts
var systemClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle)
};
var Heartbeat = class {
  constructor(timeoutMs, sendPing, dead, clock = systemClock, graceMs = Math.min(5e3, timeoutMs / 2)) {
    this.timeoutMs = timeoutMs;
    this.sendPing = sendPing;
    this.dead = dead;
    this.clock = clock;
    this.graceMs = graceMs;
    this.lastArrival = clock.now();
    this.arm(timeoutMs / 2);
  }
  lastArrival;
  pingSentAt;
  timer;
  stopped = false;
  counter = 0;
  probing = false;
  /** A message arrived: the peer is alive. Cheap: no timer is touched. */
  arrived() {
    this.lastArrival = this.clock.now();
    this.pingSentAt = void 0;
    this.probing = false;
  }
  /**
   * The network may have changed (the browser's online/offline events): ping now and give up on the
   * peer if nothing arrives within the grace period.
   */
  probe() {
    if (this.stopped) return;
    this.probing = true;
    if (this.pingSentAt === void 0) this.ping();
    this.arm(this.graceMs);
  }
  stop() {
    this.stopped = true;
    if (this.timer !== void 0) this.clock.clearTimeout(this.timer);
    this.timer = void 0;
  }
  check() {
    this.timer = void 0;
    if (this.stopped) return;
    const now = this.clock.now();
    const idle = now - this.lastArrival;
    if (this.pingSentAt !== void 0 && now - this.pingSentAt >= this.graceMs && (idle >= this.timeoutMs || this.probing)) {
      this.stopped = true;
      this.dead(idle);
      return;
    }
    if (this.pingSentAt === void 0 && idle >= this.timeoutMs / 2) {
      this.ping();
    }
    if (this.pingSentAt === void 0) {
      this.arm(this.timeoutMs / 2 - idle);
    } else {
      const untilGrace = this.graceMs - (now - this.pingSentAt);
      this.arm(this.probing ? untilGrace : Math.max(untilGrace, this.timeoutMs - idle));
    }
  }
  ping() {
    this.pingSentAt = this.clock.now();
    this.counter++;
    this.sendPing(this.counter.toString(16).padStart(16, "0"));
  }
  arm(ms) {
    if (this.timer !== void 0) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.check(), Math.max(ms, 1));
  }
};

// src/engine/send-credit.ts
var maxWindow = 2 ** 31 - 1;
var SendCredit = class {
  constructor(available) {
    this.available = available;
  }
  waiters = [];
  /** A WINDOW frame: more credit. Overflowing 2^31-1 is a FlowControlError (§7). */
  grant(increment) {
    if (this.available + increment > maxWindow) {
      throw new FrameDecodeError(ErrorCode.FlowControlError, "WINDOW overflowed the send window");
    }
    this.available += increment;
    this.wake();
  }
  /** Resolves when credit may have changed (granted, or the waiter was woken to give up). */
  changed() {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
};
async function takeCredit(stream, connection, wanted, stopped) {
  for (; ; ) {
    if (stopped()) return 0;
    const n = Math.min(wanted, stream.available, connection.available);
    if (n > 0) {
      stream.available -= n;
      connection.available -= n;
      return n;
    }
    await (stream.available <= 0 ? stream.changed() : connection.changed());
  }
}
var ReceiveWindow = class {
  constructor(size) {
    this.size = size;
  }
  outstanding = 0;
  consumedSinceUpdate = 0;
  /** Body bytes arrived; more than the window allows is a FlowControlError (§7). */
  received(n) {
    if (this.outstanding + n > this.size) {
      throw new FrameDecodeError(ErrorCode.FlowControlError, "The peer sent body bytes beyond the flow-control window");
    }
    this.outstanding += n;
  }
  /** Bytes were consumed (or released); returns the WINDOW increment to send now, or 0 to wait. */
  consumed(n) {
    this.outstanding -= n;
    this.consumedSinceUpdate += n;
    if (this.consumedSinceUpdate * 2 < this.size) return 0;
    const increment = this.consumedSinceUpdate;
    this.consumedSinceUpdate = 0;
    return increment;
  }
};

// src/engine/socket.ts
var subprotocol = "wsrest.v1.json";
var binaryMessage = Symbol("binary message");
var Socket = class _Socket {
  constructor(ws) {
    this.ws = ws;
    ws.addEventListener("message", (event) => {
      this.deliver(typeof event.data === "string" ? event.data : binaryMessage);
    });
    ws.addEventListener("error", (event) => {
      this.error = event.error instanceof Error ? event.error : new WsRestError(event.message || "WebSocket error");
    });
    ws.addEventListener("close", (event) => {
      this.closeInfo = { code: event.code, reason: event.reason, error: this.error };
      this.handler?.closed(event.code, event.reason, this.error);
    });
  }
  handler;
  backlog = [];
  closeInfo;
  error;
  /** Opens a WebSocket offering `wsrest.v1.json`; rejects when it does not open or the server selects another subprotocol. */
  static open(url, WebSocketImpl, timeoutMs) {
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new WebSocketImpl(url, [subprotocol]);
      } catch (error) {
        reject(new WsRestRefusedError(`Cannot open a WebSocket to ${url}`, void 0, { cause: error }));
        return;
      }
      let failure;
      const timer = setTimeout(() => {
        failure = new WsRestError(`The WebSocket to ${url} did not open within ${timeoutMs} ms`);
        ws.close();
      }, timeoutMs);
      ws.addEventListener("error", (event) => {
        failure = upgradeFailure(event, url);
      });
      ws.addEventListener("close", (event) => {
        clearTimeout(timer);
        reject(failure ?? new WsRestError(`The WebSocket to ${url} closed before it opened (${event.code})`));
      });
      ws.addEventListener("open", () => {
        clearTimeout(timer);
        if (ws.protocol !== subprotocol) {
          ws.close(1002, "subprotocol not selected");
          reject(new WsRestRefusedError(`The server did not select the subprotocol ${subprotocol} (it selected "${ws.protocol}")`));
          return;
        }
        resolve(new _Socket(ws));
      });
    });
  }
  get bufferedAmount() {
    return this.ws.bufferedAmount;
  }
  get isOpen() {
    return this.ws.readyState === 1;
  }
  attach(handler) {
    this.handler = handler;
    for (const text of this.backlog.splice(0)) {
      handler.message(text);
    }
    if (this.closeInfo) handler.closed(this.closeInfo.code, this.closeInfo.reason, this.closeInfo.error);
  }
  /** Messages are buffered again until the next attach. */
  detach() {
    this.handler = void 0;
  }
  send(text) {
    if (this.ws.readyState === 1) this.ws.send(text);
  }
  close(code, reason) {
    try {
      this.ws.close(code, reason);
    } catch (error) {
      this.ws.close();
      void error;
    }
  }
  deliver(text) {
    if (this.handler) this.handler.message(text);
    else this.backlog.push(text);
  }
};
function upgradeFailure(event, url) {
  const message = event.error instanceof Error ? event.error.message : event.message ?? "";
  const status = /Unexpected server response: (\d{3})/.exec(message);
  if (status) {
    const code = Number(status[1]);
    const permanent = code >= 400 && code < 500 && code !== 408 && code !== 429;
    const text = `The server rejected the WebSocket upgrade to ${url} with HTTP ${code}`;
    return permanent ? new WsRestRefusedError(text, void 0, { cause: event.error }) : new WsRestError(text, void 0, { cause: event.error });
  }
  return new WsRestError(`The WebSocket to ${url} failed${message ? `: ${message}` : ""}`, void 0, { cause: event.error });
}

// src/engine/stream.ts
var Stream = class {
  constructor(id, owner, peerStreamWindow, localStreamWindow) {
    this.id = id;
    this.owner = owner;
    this.sendCredit = new SendCredit(peerStreamWindow);
    this.receiveWindow = new ReceiveWindow(localStreamWindow);
  }
  sendCredit;
  receiveWindow;
  body;
  headReceived = false;
  localEnded = false;
  remoteEnded = false;
  closed = false;
  /** Set when the body we send must stop (reset, or CANCEL NoError after a complete response, §6.1). */
  sendStopped = false;
  get isLocal() {
    return this.id % 2 === 1;
  }
};

// src/protocol/encode.ts
function encodeFrame(frame) {
  switch (frame.t) {
    case "hello":
      return object(`"t":"hello","v":${frame.v}`, settings(frame.s), pairs("md", frame.md), str("prev", frame.prev), str("auth", frame.auth));
    case "welcome":
      return object(`"t":"welcome","v":${frame.v},"id":${JSON.stringify(frame.id)}`, settings(frame.s));
    case "ready":
      return '{"t":"ready"}';
    case "req":
      return object(`"uid":${frame.uid},"m":${JSON.stringify(frame.m)},"r":${JSON.stringify(frame.r)}`, pairs("h", frame.h), body(frame.body), frame.e ? "" : '"e":false');
    case "res":
      return object(`"uid":${frame.uid},"c":${frame.c}`, pairs("h", frame.h), body(frame.body), frame.e ? "" : '"e":false');
    case "data":
      return object(`"t":"data","uid":${frame.uid}`, body(frame.body), frame.e ? '"e":true' : "");
    case "window":
      return object('"t":"window"', frame.uid ? `"uid":${frame.uid}` : "", `"n":${frame.n}`);
    case "cancel":
      return `{"t":"cancel","uid":${frame.uid},"code":${frame.code}}`;
    case "goaway":
      return object(`"t":"goaway","last":${frame.last},"code":${frame.code}`, str("reason", frame.reason || void 0));
    case "error":
      return object(`"t":"error","code":${frame.code}`, str("reason", frame.reason || void 0));
    case "ping":
    case "pong":
      return `{"t":"${frame.t}","p":${JSON.stringify(frame.p)}}`;
    case "sub":
      return object(`"t":"sub","uid":${frame.uid},"topic":${JSON.stringify(frame.topic)}`, frame.from ? `"from":${frame.from}` : "", frame.epoch ? `"epoch":${frame.epoch}` : "");
    case "unsub":
      return `{"t":"unsub","uid":${frame.uid}}`;
    case "ack":
      return object(`"t":"ack","uid":${frame.uid},"k":"${frame.k}"`, frame.seq ? `"seq":${frame.seq}` : "", str("reason", frame.reason || void 0));
    case "event":
      return object(`"t":"event","uid":${frame.uid},"seq":${frame.seq}`, str("ct", frame.ct), body(frame.body));
    case "gap":
      return `{"t":"gap","uid":${frame.uid},"from":${frame.from},"to":${frame.to}}`;
    case "epoch":
      return `{"t":"epoch","uid":${frame.uid},"epoch":${frame.epoch}}`;
    case "pub":
      return object(`"t":"pub","uid":${frame.uid},"topic":${JSON.stringify(frame.topic)}`, str("ct", frame.ct), body(frame.body));
  }
}
function encodeMessage(frames) {
  return frames.length === 1 ? frames[0] : `[${frames.join(",")}]`;
}
function object(...members) {
  return `{${members.filter((member) => member !== "").join(",")}}`;
}
function str(name, value) {
  return value === void 0 ? "" : `"${name}":${JSON.stringify(value)}`;
}
function pairs(name, list) {
  return list && list.length ? `"${name}":${JSON.stringify(list)}` : "";
}
function body(value) {
  return value && value.byteLength > 0 ? value.toMembers() : "";
}
function settings(value) {
  return value ? `"s":${JSON.stringify(value)}` : "";
}

// src/engine/writer.ts
var FrameWriter = class {
  constructor(socket, maxMessageSize) {
    this.socket = socket;
    this.maxMessageSize = maxMessageSize;
  }
  queue = [];
  scheduled = false;
  /** Queues a frame; throws RangeError when the frame alone is larger than the peer accepts. */
  write(frame) {
    const text = encodeFrame(frame);
    const size = utf8Length(text);
    if (size > this.maxMessageSize) {
      throw new RangeError(`A ${frame.t} frame of ${size} bytes is larger than the server's MaxMessageSize (${this.maxMessageSize})`);
    }
    this.queue.push({ text, size });
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }
  /** Sends everything queued now (before a close, so the ERROR frame is the last message). */
  flush() {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    let batch = [];
    let batchSize = 2;
    for (const { text, size } of queue) {
      if (batch.length > 0 && batchSize + size + 1 > this.maxMessageSize) {
        this.socket.send(encodeMessage(batch));
        batch = [];
        batchSize = 2;
      }
      batch.push(text);
      batchSize += size + 1;
    }
    if (batch.length > 0) this.socket.send(encodeMessage(batch));
  }
};

// src/engine/connection.ts
var StreamRefusedError = class extends WsRestError {
  constructor(message) {
    super(message, ErrorCode.RefusedStream);
    this.name = "StreamRefusedError";
  }
};
var maxChunk = 16 * 1024;
var frameOverhead = 512;
var Connection = class {
  constructor(socket, id, peer, local, events, heartbeatTimeoutMs) {
    this.socket = socket;
    this.id = id;
    this.peer = peer;
    this.local = local;
    this.events = events;
    this.writer = new FrameWriter(socket, peer.mms);
    this.sendCredit = new SendCredit(peer.icw);
    this.receiveWindow = new ReceiveWindow(local.icw);
    this.inlineLimit = Math.min(maxChunk, Math.floor((peer.mms - frameOverhead) * 3 / 4));
    this.heartbeat = new Heartbeat(
      heartbeatTimeoutMs,
      (p) => this.write({ t: "ping", p }),
      (idle) => this.abort(new WsRestError(`No message from the server for ${Math.round(idle / 1e3)} s: the connection is dead`))
    );
  }
  writer;
  sendCredit;
  /**
   * Largest body sent inline in a head, and the DATA chunk size (§5.3): 16 KiB, less where the
   * peer's MaxMessageSize could not hold it as base64 (a body grows by at most a third, Body.forSending).
   */
  inlineLimit;
  receiveWindow;
  streams = /* @__PURE__ */ new Map();
  heartbeat;
  nextId = 1;
  highestPeerId = 0;
  openLocal = 0;
  openRemote = 0;
  slotWaiters = [];
  draining = false;
  ended = false;
  /** Starts reading (messages that arrived since WELCOME first); call once the owner can take events. */
  start() {
    this.socket.attach({
      message: (text) => this.receive(text),
      closed: (code, reason, error) => this.socketClosed(code, reason, error)
    });
  }
  /** True while new streams may be opened here. */
  get usable() {
    return !this.ended && !this.draining;
  }
  get isEnded() {
    return this.ended;
  }
  write(frame) {
    if (!this.ended) this.writer.write(frame);
  }
  /** Opens a stream of ours (odd id), waiting while the server's MaxConcurrentStreams is reached (§6.1). */
  async openStream(owner, cancelled) {
    while (this.openLocal >= this.peer.mcs && this.usable && cancelled() === void 0) {
      await new Promise((resolve) => this.slotWaiters.push(resolve));
    }
    const reason = cancelled();
    if (reason !== void 0) throw reason;
    if (this.ended) throw new WsRestError("The connection is closed");
    if (this.draining) throw new StreamRefusedError("The server is going away (GOAWAY)");
    const stream = new Stream(this.nextId, owner, this.peer.isw, this.local.isw);
    this.nextId += 2;
    this.streams.set(stream.id, stream);
    this.openLocal++;
    return stream;
  }
  /** Wakes streams waiting for a slot (a fetch's signal fired, so it can give up). */
  wakeSlotWaiters() {
    const waiters = this.slotWaiters;
    this.slotWaiters = [];
    for (const wake of waiters) wake();
  }
  /** Takes send credit for up to `wanted` body bytes at once, without waiting; 0 if there is none. */
  tryTakeCredit(stream, wanted) {
    if (stream.sendCredit.available < wanted || this.sendCredit.available < wanted) return false;
    stream.sendCredit.available -= wanted;
    this.sendCredit.available -= wanted;
    return true;
  }
  /**
   * Sends a body as DATA frames within the windows (§7), ending with END_STREAM. Returns false if the
   * stream stopped first (reset, or CANCEL NoError after a complete response).
   */
  async sendBody(stream, chunks, textual) {
    for await (const chunk of chunks) {
      let offset = 0;
      while (offset < chunk.length) {
        const n = await takeCredit(stream.sendCredit, this.sendCredit, Math.min(this.inlineLimit, chunk.length - offset), () => stream.sendStopped || this.ended);
        if (n === 0) return false;
        this.write({ t: "data", uid: stream.id, body: Body.forSending(chunk.subarray(offset, offset + n), null, textual), e: false });
        offset += n;
      }
    }
    if (stream.sendStopped || this.ended) return false;
    this.write({ t: "data", uid: stream.id, body: void 0, e: true });
    this.localEnd(stream);
    return true;
  }
  /** We sent END_STREAM on a stream. */
  localEnd(stream) {
    stream.localEnded = true;
    this.closeIfDone(stream);
  }
  /**
   * Resets a stream from our side (§6.1): CANCEL unless the exchange already finished both ways. The
   * owner resets itself; it is not called back.
   */
  reset(stream, code) {
    if (stream.closed) return;
    stream.sendStopped = true;
    this.wakeSenders(stream);
    this.write({ t: "cancel", uid: stream.id, code });
    this.close(stream);
  }
  /** Forgets a stream whose REQUEST was never sent (its head was too large): nothing goes on the wire. */
  abandon(stream) {
    stream.sendStopped = true;
    this.close(stream);
  }
  /** The reader consumed `n` body bytes of `stream`: return credit, batched (§7). */
  consumed(stream, n) {
    this.release(n);
    if (!stream.closed && !stream.remoteEnded) {
      const increment = stream.receiveWindow.consumed(n);
      if (increment > 0) this.write({ t: "window", uid: stream.id, n: increment });
    }
  }
  /** Client stop: close the WebSocket normally; every stream fails. */
  closeGracefully() {
    this.end(void 0);
    this.writer.flush();
    this.socket.close(1e3, "client stopped");
  }
  /** Network change: check the peer is still there (§13.5). */
  probe() {
    this.heartbeat.probe();
  }
  receive(text) {
    if (this.ended) return;
    this.heartbeat.arrived();
    try {
      if (text === binaryMessage) throw new FrameDecodeError(ErrorCode.ProtocolError, "A binary message on a wsrest.v1.json connection");
      if (text.length > this.local.mms || text.length * 3 > this.local.mms && utf8Length(text) > this.local.mms) {
        throw new FrameDecodeError(ErrorCode.MessageTooLarge, `A message larger than MaxMessageSize (${this.local.mms})`);
      }
      for (const frame of decodeMessage(text)) {
        this.dispatch(frame);
        if (this.ended) return;
      }
    } catch (error) {
      if (error instanceof FrameDecodeError) {
        this.fail(error.code, error.message);
        return;
      }
      throw error;
    }
  }
  dispatch(frame) {
    switch (frame.t) {
      case "res":
        return this.onResponse(frame);
      case "req":
        return this.onRequest(frame);
      case "data":
        return this.onData(frame);
      case "window":
        if (frame.uid === 0) this.sendCredit.grant(frame.n);
        else this.streams.get(frame.uid)?.sendCredit.grant(frame.n);
        return;
      case "cancel":
        return this.onCancel(frame);
      case "goaway":
        return this.onGoAway(frame);
      case "error":
        this.end(WsRestError.fromCode(frame.code, frame.reason));
        this.socket.close(1e3, "");
        return;
      case "ping":
        this.write({ t: "pong", p: frame.p });
        return;
      case "pong":
        return;
      case "ack":
      case "event":
      case "gap":
      case "epoch":
        if (frame.uid === 0) throw protocolError2(`A ${frame.t} frame with uid 0`);
        this.events.pubsub(frame);
        return;
      default:
        throw protocolError2(`The server may not send a ${frame.t} frame here`);
    }
  }
  onResponse(frame) {
    const stream = this.streams.get(frame.uid);
    if (!stream) {
      if (frame.uid % 2 === 0 || frame.uid >= this.nextId) throw protocolError2(`RESPONSE for stream ${frame.uid}, which we never opened`);
      this.discard(frame.body);
      return;
    }
    if (stream.headReceived) throw protocolError2(`A second RESPONSE on stream ${frame.uid}`);
    stream.headReceived = true;
    stream.owner.head?.(frame);
    this.onBody(stream, frame.body, frame.e);
  }
  onRequest(frame) {
    if (frame.uid === 0 || frame.uid % 2 === 1) throw protocolError2(`REQUEST on stream ${frame.uid}, which is not the server's to open`);
    if (frame.uid <= this.highestPeerId) throw protocolError2(`REQUEST reuses stream id ${frame.uid}`);
    this.highestPeerId = frame.uid;
    if (this.openRemote >= this.local.mcs) {
      this.discard(frame.body);
      this.write({ t: "cancel", uid: frame.uid, code: ErrorCode.RefusedStream });
      return;
    }
    const stream = new Stream(frame.uid, { reset: () => void 0 }, this.peer.isw, this.local.isw);
    stream.headReceived = true;
    this.streams.set(stream.id, stream);
    this.openRemote++;
    this.events.request(stream, frame);
    if (!stream.closed) this.onBody(stream, frame.body, frame.e);
    else this.discard(frame.body);
  }
  onData(frame) {
    if (frame.uid === 0) throw protocolError2("DATA on stream 0");
    const stream = this.streams.get(frame.uid);
    if (!stream) {
      if (!this.wasOpened(frame.uid)) throw protocolError2(`DATA for stream ${frame.uid}, which was never opened`);
      this.discard(frame.body);
      return;
    }
    if (!stream.headReceived) throw protocolError2(`DATA before the RESPONSE on stream ${frame.uid}`);
    this.onBody(stream, frame.body, frame.e);
  }
  onBody(stream, body2, end) {
    if (stream.remoteEnded) {
      if (body2 && body2.byteLength > 0) throw protocolError2(`Body bytes after END_STREAM on stream ${stream.id}`);
      return;
    }
    if (body2 && body2.byteLength > 0) {
      const n = body2.byteLength;
      this.receiveWindow.received(n);
      stream.receiveWindow.received(n);
      if (stream.body) stream.body.push(body2.bytes());
      else this.consumed(stream, n);
    }
    if (end) {
      stream.remoteEnded = true;
      stream.body?.end();
      this.closeIfDone(stream);
    }
  }
  onCancel(frame) {
    if (frame.uid === 0) throw protocolError2("CANCEL on stream 0");
    const stream = this.streams.get(frame.uid);
    if (!stream) {
      if (!this.wasOpened(frame.uid)) throw protocolError2(`CANCEL for stream ${frame.uid}, which was never opened`);
      return;
    }
    stream.sendStopped = true;
    this.wakeSenders(stream);
    if (frame.code === ErrorCode.NoError && stream.isLocal && stream.remoteEnded) {
      this.close(stream);
      return;
    }
    this.close(stream);
    const error = frame.code === ErrorCode.RefusedStream && stream.isLocal && !stream.headReceived ? new StreamRefusedError("The server refused the stream (RefusedStream): it was not processed") : WsRestError.fromCode(frame.code, `the peer cancelled stream ${frame.uid}`);
    stream.owner.reset(error, "peer", frame.code);
  }
  onGoAway(frame) {
    this.draining = true;
    this.wakeSlotWaiters();
    for (const stream of [...this.streams.values()]) {
      if (stream.isLocal && stream.id > frame.last) {
        this.close(stream);
        stream.sendStopped = true;
        this.wakeSenders(stream);
        const error = new StreamRefusedError(`The server is going away (GOAWAY, last stream ${frame.last})`);
        stream.owner.reset(error, "peer", ErrorCode.RefusedStream);
      }
    }
    this.events.goaway();
  }
  wasOpened(id) {
    return id % 2 === 1 ? id < this.nextId : id <= this.highestPeerId;
  }
  /** Body bytes for a stream that is gone still count against the connection window; released at once (§7). */
  discard(body2) {
    const n = body2?.byteLength ?? 0;
    if (n > 0) {
      this.receiveWindow.received(n);
      this.release(n);
    }
  }
  release(n) {
    if (this.ended) return;
    const increment = this.receiveWindow.consumed(n);
    if (increment > 0) this.write({ t: "window", uid: 0, n: increment });
  }
  closeIfDone(stream) {
    if (stream.localEnded && stream.remoteEnded) this.close(stream);
  }
  close(stream) {
    if (stream.closed) return;
    stream.closed = true;
    this.streams.delete(stream.id);
    if (stream.isLocal) {
      this.openLocal--;
      const wake = this.slotWaiters.shift();
      wake?.();
    } else {
      this.openRemote--;
    }
  }
  wakeSenders(stream) {
    stream.sendCredit.wake();
    this.sendCredit.wake();
  }
  /** A connection error of ours (§6.3, §13.6): ERROR as the last message, then close 1002 or 1009. */
  fail(code, reason) {
    if (this.ended) return;
    const error = WsRestError.fromCode(code, reason);
    this.writer.write({ t: "error", code, reason: reason.slice(0, 256) });
    this.writer.flush();
    this.end(error);
    this.socket.close(code === ErrorCode.MessageTooLarge ? 1009 : 1002, reason.slice(0, 100));
  }
  /** Ends without a close handshake (dead peer). */
  abort(error) {
    this.end(error);
    this.socket.close(4e3, "dead peer");
  }
  socketClosed(code, reason, error) {
    if (this.ended) return;
    const clean = code === 1e3 || code === 1001;
    this.end(
      clean ? new WsRestError(`The server closed the connection (${code}${reason ? ` ${reason}` : ""})`) : new WsRestError(`The connection was lost (${code}${reason ? ` ${reason}` : ""})`, void 0, { cause: error })
    );
  }
  /** Fails every stream and tells the owner once. */
  end(error) {
    if (this.ended) return;
    this.ended = true;
    this.heartbeat.stop();
    this.wakeSlotWaiters();
    this.sendCredit.wake();
    const cause = error ?? new WsRestError("The client stopped");
    for (const stream of [...this.streams.values()]) {
      this.close(stream);
      stream.sendStopped = true;
      stream.sendCredit.wake();
      stream.owner.reset(cause, "connection", void 0);
    }
    this.events.closed(error);
  }
};
function protocolError2(message) {
  return new FrameDecodeError(ErrorCode.ProtocolError, message);
}

// src/engine/handshake.ts
function handshake(socket, hello, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close(1002, "handshake timeout");
      reject(new WsRestError(`No WELCOME within ${timeoutMs} ms`, ErrorCode.HandshakeTimeout));
    }, timeoutMs);
    const done = (error, welcome) => {
      clearTimeout(timer);
      if (error) {
        socket.close(error instanceof WsRestRefusedError || error.message.startsWith("The server closed") ? 1e3 : 1002, "handshake failed");
        reject(error);
      } else {
        resolve(welcome);
      }
    };
    socket.attach({
      message: (text) => {
        socket.detach();
        const [error, welcome] = readWelcome(text);
        if (!error) socket.send(encodeFrame({ t: "ready" }));
        done(error, welcome);
      },
      closed: (code, reason, error) => done(new WsRestError(`The server closed the connection during the handshake (${code}${reason ? ` ${reason}` : ""})`, void 0, { cause: error }))
    });
    socket.send(encodeFrame(hello));
  });
}
function readWelcome(text) {
  try {
    if (text === binaryMessage || isBatch(text)) throw new FrameDecodeError(ErrorCode.ProtocolError, "The handshake answer must be one JSON object");
    const [frame] = decodeMessage(text);
    if (frame?.t === "error") {
      const refused = frame.code !== ErrorCode.HandshakeTimeout && frame.code !== ErrorCode.InternalError;
      const message = `The server refused the handshake: ${WsRestError.fromCode(frame.code, frame.reason).message}`;
      return [refused ? new WsRestRefusedError(message, frame.code) : new WsRestError(message, frame.code)];
    }
    if (frame?.t !== "welcome") throw new FrameDecodeError(ErrorCode.ProtocolError, `Expected WELCOME, got ${frame?.t}`);
    if (frame.v !== 1) return [new WsRestRefusedError(`The server speaks protocol version ${frame.v}, not 1`, ErrorCode.UnsupportedVersion)];
    return [void 0, frame];
  } catch (error) {
    if (error instanceof FrameDecodeError) return [new WsRestError(`Bad handshake answer: ${error.message}`, error.code)];
    throw error;
  }
}

// src/engine/incoming-body.ts
var IncomingBody = class {
  /**
   * @param consumed bytes handed to the reader (or dropped): return their credit.
   * @param cancelled the reader cancelled the body: reset the stream if it is still open.
   * @param finished the body was read to its end, failed or was cancelled (called once).
   */
  constructor(consumed, cancelled, finished = () => void 0) {
    this.consumed = consumed;
    this.cancelled = cancelled;
    this.finished = finished;
    this.readable = new ReadableStream(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => this.pull(),
        cancel: (reason) => {
          this.failed = true;
          this.release();
          this.cancelled(reason);
          this.finished();
        }
      },
      { highWaterMark: 0 }
    );
  }
  readable;
  chunks = [];
  buffered = 0;
  ended = false;
  failed = false;
  closedByUs = false;
  controller;
  wake;
  push(bytes) {
    if (this.failed) {
      this.consumed(bytes.length);
      return;
    }
    this.chunks.push(bytes);
    this.buffered += bytes.length;
    this.signal();
  }
  end() {
    this.ended = true;
    this.signal();
  }
  /** Fails the reader; bytes it had not read yet are released. */
  fail(error) {
    if (this.failed || this.closedByUs) return;
    this.failed = true;
    this.release();
    this.finished();
    try {
      this.controller.error(error);
    } catch (reason) {
      void reason;
    }
    this.signal();
  }
  pull() {
    const chunk = this.chunks.shift();
    if (chunk) {
      this.buffered -= chunk.length;
      this.controller.enqueue(chunk);
      this.consumed(chunk.length);
      return;
    }
    if (this.failed) return;
    if (this.ended) {
      this.closedByUs = true;
      this.controller.close();
      this.finished();
      return;
    }
    return new Promise((resolve) => {
      this.wake = resolve;
    }).then(() => this.pull());
  }
  signal() {
    const wake = this.wake;
    this.wake = void 0;
    wake?.();
  }
  release() {
    const n = this.buffered;
    this.chunks = [];
    this.buffered = 0;
    if (n > 0) this.consumed(n);
  }
};

// src/http/headers.ts
var notSent = /* @__PURE__ */ new Set(["host", "connection", "keep-alive", "proxy-connection", "te", "transfer-encoding", "upgrade"]);
function toHeaderList(headers) {
  const list = [];
  for (const [name, value] of headers) {
    if (notSent.has(name)) continue;
    if (name === "set-cookie" && typeof headers.getSetCookie === "function") {
      for (const cookie of headers.getSetCookie()) list.push([name, cookie]);
      continue;
    }
    list.push([name, value]);
  }
  return list;
}
function fromHeaderList(list) {
  const headers = new Headers();
  for (const [name, value] of list) {
    if (!notSent.has(name.toLowerCase())) headers.append(name, value);
  }
  return headers;
}

// src/http/request-body.ts
async function readRequestBody(request, stream) {
  if (stream) return { kind: "stream", stream };
  if (request.body === null) return { kind: "none" };
  return { kind: "bytes", bytes: new Uint8Array(await request.arrayBuffer()) };
}
function chunksOf(stream) {
  return readerChunks(stream.getReader());
}
async function* readerChunks(reader) {
  let finished = false;
  try {
    for (; ; ) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      if (!(value instanceof Uint8Array)) throw new TypeError("A request body stream must produce Uint8Array chunks");
      if (value.length > 0) yield value;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => void 0);
    reader.releaseLock();
  }
}

// src/http/fetch.ts
var nullBodyStatus = /* @__PURE__ */ new Set([101, 103, 204, 205, 304]);
var maxAttempts = 3;
async function wsrestFetch(host, input, init) {
  const signal = init?.signal ?? (input instanceof Request ? input.signal : void 0);
  signal?.throwIfAborted();
  const prepared = await prepare(host.baseUrl, input, init, signal);
  for (let attempt = 1; ; attempt++) {
    const connection = await host.connection(signal);
    try {
      return await exchange(connection, prepared);
    } catch (error) {
      if (error instanceof StreamRefusedError) {
        if (prepared.body.kind !== "stream" && attempt < maxAttempts) continue;
        throw new TypeError(`Failed to fetch: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }
}
async function prepare(baseUrl, input, init, signal) {
  const url = input instanceof Request ? input.url : new URL(String(input), baseUrl).href;
  const stream = init?.body instanceof ReadableStream ? init.body : void 0;
  const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
  if (stream && (method === "GET" || method === "HEAD")) throw new TypeError("Request with GET/HEAD method cannot have body.");
  const normalised = stream ? { ...init, body: void 0 } : init;
  const request = input instanceof Request && init === void 0 ? input : new Request(input instanceof Request ? input : url, normalised);
  const parsed = new URL(request.url);
  const body2 = await readRequestBody(request, stream);
  signal?.throwIfAborted();
  return {
    method: request.method,
    // Only the path and query travel (§5.1); scheme and authority are the upgrade request's.
    target: parsed.pathname + parsed.search,
    url: request.url,
    headers: toHeaderList(request.headers),
    contentType: request.headers.get("content-type"),
    body: body2,
    signal
  };
}
function exchange(connection, request) {
  return new Promise((resolve, reject) => {
    const { signal } = request;
    let stream;
    let responseBody;
    let settled = false;
    const finish = () => signal?.removeEventListener("abort", onAbort);
    const fail = (error) => {
      finish();
      if (!settled) {
        settled = true;
        reject(error);
      } else {
        responseBody?.fail(error);
      }
    };
    const onAbort = () => {
      if (stream) connection.reset(stream, ErrorCode.Cancel);
      connection.wakeSlotWaiters();
      fail(signal.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const owner = {
      head: (frame) => {
        const response = toResponse(frame, request, connection, stream, finish, (body2) => responseBody = body2);
        if (response instanceof Error) {
          connection.reset(stream, ErrorCode.Cancel);
          fail(response);
          return;
        }
        settled = true;
        resolve(response);
      },
      reset: (error, kind) => {
        fail(kind === "connection" ? networkError(error) : error instanceof StreamRefusedError ? error : new TypeError(`Failed to fetch: ${error.message}`, { cause: error }));
      }
    };
    connection.openStream(owner, () => signal?.aborted ? signal.reason : void 0).then((opened) => {
      if (signal?.aborted) {
        connection.abandon(opened);
        return;
      }
      stream = opened;
      send(connection, opened, request).catch((error) => {
        connection.reset(opened, ErrorCode.Cancel);
        fail(error instanceof TypeError ? error : new TypeError(`Failed to fetch: the request body failed`, { cause: error }));
      });
    }).catch((error) => fail(signal?.aborted ? signal.reason : error instanceof StreamRefusedError ? error : networkError(error)));
  });
}
async function send(connection, stream, request) {
  const head = { t: "req", uid: stream.id, m: request.method, r: request.target, h: request.headers };
  const { body: body2 } = request;
  if (body2.kind === "none" || body2.kind === "bytes" && body2.bytes.length === 0) {
    writeHead(connection, stream, { ...head, body: void 0, e: true });
    connection.localEnd(stream);
    return;
  }
  if (body2.kind === "bytes" && body2.bytes.length <= connection.inlineLimit && connection.tryTakeCredit(stream, body2.bytes.length)) {
    writeHead(connection, stream, { ...head, body: Body.forSending(body2.bytes, request.contentType), e: true });
    connection.localEnd(stream);
    return;
  }
  writeHead(connection, stream, { ...head, body: void 0, e: false });
  const textual = isJsonContentType(request.contentType) || isTextContentType(request.contentType);
  await connection.sendBody(stream, body2.kind === "bytes" ? single(body2.bytes) : chunksOf(body2.stream), textual);
}
function writeHead(connection, stream, frame) {
  try {
    connection.write(frame);
  } catch (error) {
    connection.abandon(stream);
    throw new TypeError(`Failed to fetch: ${error.message}`, { cause: error });
  }
}
async function* single(bytes) {
  yield bytes;
}
function toResponse(frame, request, connection, stream, finished, setBody) {
  if (frame.c < 200 || frame.c > 599) {
    return new TypeError(`Failed to fetch: status ${frame.c} cannot be represented by a Response`);
  }
  const init = { status: frame.c, statusText: "", headers: fromHeaderList(frame.h) };
  let response;
  if (request.method === "HEAD" || nullBodyStatus.has(frame.c)) {
    finished();
    response = new Response(null, init);
  } else {
    const body2 = new IncomingBody(
      (n) => connection.consumed(stream, n),
      () => connection.reset(stream, ErrorCode.Cancel),
      finished
    );
    stream.body = body2;
    setBody(body2);
    response = new Response(body2.readable, init);
  }
  Object.defineProperty(response, "url", { value: request.url });
  return response;
}

// src/http/stream-support.ts
var supported;
function requestStreamsSupported() {
  if (supported === void 0) {
    let duplexRead = false;
    try {
      const request = new Request("http://localhost/", {
        method: "POST",
        body: new ReadableStream(),
        get duplex() {
          duplexRead = true;
          return "half";
        }
      });
      supported = duplexRead && !request.headers.has("content-type");
    } catch {
      supported = false;
    }
  }
  return supported;
}

// src/http/serve.ts
function reportError(error) {
  const report = globalThis.reportError;
  if (typeof report === "function") report(error);
  else console.error(error);
}
function serveRequest(connection, stream, frame, handler, baseUrl) {
  if (!handler) {
    connection.reset(stream, ErrorCode.RefusedStream);
    return;
  }
  const aborted = new AbortController();
  const hasBody = !frame.e || (frame.body?.byteLength ?? 0) > 0;
  const canHaveBody = hasBody && frame.m !== "GET" && frame.m !== "HEAD";
  const body2 = canHaveBody ? new IncomingBody(
    (n) => connection.consumed(stream, n),
    () => connection.reset(stream, ErrorCode.Cancel)
  ) : void 0;
  stream.body = body2;
  const release = (error) => {
    aborted.abort(error);
    body2?.fail(error);
  };
  stream.owner = { reset: release };
  const makeRequest = (requestBody) => new Request(new URL(frame.r, baseUrl), { method: frame.m, headers: fromHeaderList(frame.h), body: requestBody, signal: aborted.signal, duplex: "half" });
  void respond(connection, stream, handler, release, async () => {
    if (!body2) return makeRequest(null);
    if (frame.e || !requestStreamsSupported()) return makeRequest(await new Response(body2.readable).arrayBuffer());
    return makeRequest(body2.readable);
  });
}
async function respond(connection, stream, handler, release, request) {
  try {
    const response = await handler(await request());
    if (stream.closed) {
      await response.body?.cancel();
      return;
    }
    await sendResponse(connection, stream, response);
  } catch (error) {
    const cancelledByPeer = stream.closed;
    connection.reset(stream, ErrorCode.InternalError);
    release(error);
    if (!cancelledByPeer) reportError(error);
  }
}
async function sendResponse(connection, stream, response) {
  const head = { t: "res", uid: stream.id, c: response.status, h: toHeaderList(response.headers) };
  const contentType = response.headers.get("content-type");
  if (!response.body) {
    connection.write({ ...head, body: void 0, e: true });
    connection.localEnd(stream);
    return;
  }
  const reader = response.body.getReader();
  const first = await reader.read();
  if (first.done) {
    connection.write({ ...head, body: void 0, e: true });
    connection.localEnd(stream);
    return;
  }
  const second = reader.read();
  const ended = await Promise.race([second.then((result) => result.done), microtasks(8).then(() => false)]);
  if (ended && first.value.length <= connection.inlineLimit && connection.tryTakeCredit(stream, first.value.length)) {
    connection.write({ ...head, body: Body.forSending(first.value, contentType), e: true });
    connection.localEnd(stream);
    return;
  }
  connection.write({ ...head, body: void 0, e: false });
  const textual = isJsonContentType(contentType) || isTextContentType(contentType);
  await connection.sendBody(stream, rest(first.value, second, reader), textual);
}
async function* rest(first, second, reader) {
  yield first;
  const next = await second;
  if (next.done) return;
  yield next.value;
  yield* readerChunks(reader);
}
async function microtasks(n) {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

// src/protocol/frames.ts
var defaultSettings = {
  mcs: 100,
  isw: 262144,
  icw: 1048576,
  mms: 1048576,
  mhl: 65536,
  hb: 0,
  ps: 0
};
function withDefaults(settings2) {
  return { ...defaultSettings, ...settings2 };
}

// src/pubsub/event-data.ts
function eventData(body2, contentType) {
  if (isJsonContentType(contentType)) {
    if (!body2) return null;
    const text = body2.text();
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  if (isTextContentType(contentType)) return body2 ? body2.text() : "";
  return body2 ? body2.bytes() : new Uint8Array(0);
}
function publishPayload(data, contentType) {
  if (typeof data === "string") return { bytes: data, contentType: contentType ?? "text/plain; charset=utf-8" };
  if (data instanceof Uint8Array) return { bytes: data, contentType: contentType ?? "application/octet-stream" };
  if (data instanceof ArrayBuffer) return { bytes: new Uint8Array(data), contentType: contentType ?? "application/octet-stream" };
  if (ArrayBuffer.isView(data)) return { bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), contentType: contentType ?? "application/octet-stream" };
  const json = JSON.stringify(data);
  if (json === void 0) throw new TypeError("publish: data is not serialisable as JSON");
  return { bytes: json, contentType: contentType ?? "application/json" };
}

// src/pubsub/sequence-tracker.ts
var SequenceTracker = class {
  constructor(initialFrom) {
    this.initialFrom = initialFrom;
    if (initialFrom > 0) this.last = initialFrom - 1;
  }
  last;
  current;
  get lastSequence() {
    return this.last;
  }
  /** The epoch `lastSequence` belongs to; undefined while the server announced none. */
  get epoch() {
    return this.current;
  }
  /**
   * An epoch notice: the first is adopted; a different one means the numbering restarted, so what was
   * seen no longer counts and the new epoch is expected from 1 (the server replays it, or reports a gap).
   * Returns whether the numbering restarted.
   */
  epochNotice(epoch) {
    const previous = this.current;
    this.current = epoch;
    if (previous === void 0 || previous === epoch) return false;
    if (this.last !== void 0) this.last = 0;
    return true;
  }
  /** An event arrived: whether to deliver it, and the hole before it if there is one. */
  event(sequence) {
    const last = this.last;
    if (last !== void 0 && sequence <= last) return { deliver: false };
    this.last = sequence;
    if (last !== void 0 && sequence > last + 1) return { deliver: true, lost: { from: last + 1, to: sequence - 1 } };
    return { deliver: true };
  }
  /** A gap notice: the part of it not delivered or reported yet, if any (it may overlap both, §10.6). */
  gap(from, to) {
    const start = this.last === void 0 ? from : Math.max(from, this.last + 1);
    if (start > to) return void 0;
    this.last = to;
    return { from: start, to };
  }
  /**
   * ACK(Subscribed) with the topic's last sequence. Nothing seen yet: events after it are live. Below
   * what we have seen: the server lost its numbering (a restart of an in-memory bus), so we follow its
   * numbers instead of skipping every event until they pass ours (§10.6's reference-client defect).
   */
  subscribed(sequence) {
    if (this.last === void 0 || this.current === void 0 && sequence < this.last) this.last = sequence;
  }
  /** The `from` of the SUBSCRIBE that resumes this subscription on a new connection. */
  resumeFrom() {
    return this.last === void 0 ? this.initialFrom : this.last + 1;
  }
};

// src/pubsub/subscription.ts
var SubscriptionEntry = class {
  constructor(id, topic, handler, fromSequence, sendUnsubscribe, forget) {
    this.id = id;
    this.topic = topic;
    this.handler = handler;
    this.sendUnsubscribe = sendUnsubscribe;
    this.forget = forget;
    this.tracker = new SequenceTracker(fromSequence);
  }
  state = "subscribing";
  tracker;
  delivery = Promise.resolve();
  subscribed;
  unsubscribed;
  unsubscribing;
  get lastSequence() {
    return this.tracker.lastSequence;
  }
  get epoch() {
    return this.tracker.epoch;
  }
  /** Resolves at the first ACK(Subscribed), rejects at ACK(Refused). */
  firstAck() {
    return new Promise((resolve, reject) => this.subscribed = { resolve, reject });
  }
  acked(frame) {
    if (frame.k === "subscribed") {
      if (this.state === "subscribing") this.state = "active";
      this.tracker.subscribed(frame.seq);
      this.subscribed?.resolve();
      this.subscribed = void 0;
    } else if (frame.k === "unsubscribed" || frame.k === "refused") {
      const refusal = frame.k === "refused" && this.state !== "unsubscribing" ? new Error(`Subscription to ${this.topic} refused: ${frame.reason}`) : void 0;
      if (refusal && this.subscribed) {
        this.subscribed.reject(refusal);
        this.subscribed = void 0;
      } else if (refusal) {
        reportError(refusal);
      }
      this.finish();
    }
  }
  event(frame) {
    if (this.state === "done") return;
    const { deliver, lost } = this.tracker.event(frame.seq);
    if (lost) this.deliver({ type: "gap", topic: this.topic, epoch: this.tracker.epoch, ...lost });
    if (deliver) {
      this.deliver({ type: "event", topic: this.topic, epoch: this.tracker.epoch, sequence: frame.seq, contentType: frame.ct, data: eventData(frame.body, frame.ct) });
    }
  }
  gap(frame) {
    if (this.state === "done") return;
    const lost = this.tracker.gap(frame.from, frame.to);
    if (lost) this.deliver({ type: "gap", topic: this.topic, epoch: this.tracker.epoch, ...lost });
  }
  /** The topic's numbering is this epoch's from here on (§10.5): a different one than before is a reset. */
  epochNotice(frame) {
    if (this.state === "done") return;
    if (this.tracker.epochNotice(frame.epoch)) this.deliver({ type: "reset", topic: this.topic, epoch: frame.epoch });
  }
  /** The connection ended: a pending unsubscribe is complete (the server forgot the subscription). */
  connectionLost() {
    if (this.state === "unsubscribing") this.finish();
    else if (this.state === "active") this.state = "subscribing";
  }
  unsubscribe() {
    if (this.state === "done") return this.delivery;
    this.unsubscribing ??= new Promise((resolve) => {
      this.unsubscribed = resolve;
      this.state = "unsubscribing";
      if (!this.sendUnsubscribe(this)) this.finish();
    }).then(() => this.delivery);
    return this.unsubscribing;
  }
  finish() {
    this.state = "done";
    this.forget(this);
    this.subscribed?.reject(new Error(`The subscription to ${this.topic} ended before the server acknowledged it`));
    this.subscribed = void 0;
    this.unsubscribed?.();
    this.unsubscribed = void 0;
  }
  deliver(message) {
    this.delivery = this.delivery.then(() => this.handler(message)).catch(reportError);
  }
};

// src/pubsub/topic.ts
var syntax = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
function validateTopic(topic) {
  if (typeof topic !== "string" || topic.length === 0 || topic.length > 256 || !syntax.test(topic)) {
    throw new TypeError(`Invalid topic ${JSON.stringify(topic)}: segments of [A-Za-z0-9._-] separated by '/', at most 256 characters`);
  }
}

// src/pubsub/pubsub.ts
var PubSub = class {
  nextId = 1;
  connection;
  subscriptions = /* @__PURE__ */ new Map();
  publishes = /* @__PURE__ */ new Map();
  /** A new connection: resubscribe everything from where it stopped (§10.6). */
  attach(connection) {
    this.connection = connection;
    for (const entry of this.subscriptions.values()) {
      if (entry.state === "subscribing") this.sendSubscribe(entry);
    }
  }
  /** The connection ended: publishes in flight fail (they may or may not have been published). */
  detach(error) {
    this.connection = void 0;
    for (const pending of this.publishes.values()) pending.reject(networkError(error, "Publish failed"));
    this.publishes.clear();
    for (const entry of [...this.subscriptions.values()]) entry.connectionLost();
  }
  /** The client stopped: every subscription ends. */
  clear() {
    for (const entry of [...this.subscriptions.values()]) void entry.unsubscribe();
  }
  async subscribe(topic, handler, options, connection) {
    validateTopic(topic);
    if (typeof handler !== "function") throw new TypeError("subscribe: handler must be a function");
    const from = options?.fromSequence ?? 0;
    if (!Number.isSafeInteger(from) || from < 0) throw new TypeError("subscribe: fromSequence must be a non-negative integer");
    const entry = new SubscriptionEntry(
      this.nextId++,
      topic,
      handler,
      from,
      (e) => this.sendUnsubscribe(e),
      (e) => this.subscriptions.delete(e.id)
    );
    const acked = entry.firstAck();
    this.subscriptions.set(entry.id, entry);
    if (connection && this.connection === connection) this.sendSubscribe(entry);
    await acked;
    return entry;
  }
  async publish(topic, data, options, connection) {
    validateTopic(topic);
    requirePubSub(connection);
    const { bytes, contentType } = publishPayload(data, options?.contentType);
    const body2 = typeof bytes === "string" ? Body.forSendingText(bytes, contentType) : Body.forSending(bytes, contentType);
    const id = this.nextId++;
    const sequence = new Promise((resolve, reject) => this.publishes.set(id, { resolve, reject }));
    connection.write({ t: "pub", uid: id, topic, ct: contentType, body: body2 });
    return sequence;
  }
  receive(frame) {
    if (frame.t === "ack") {
      const pending = this.publishes.get(frame.uid);
      if (pending) {
        this.publishes.delete(frame.uid);
        if (frame.k === "published") pending.resolve(frame.seq);
        else pending.reject(new Error(`Publish refused: ${frame.reason}`));
        return;
      }
      this.subscriptions.get(frame.uid)?.acked(frame);
      return;
    }
    const entry = this.subscriptions.get(frame.uid);
    if (frame.t === "event") entry?.event(frame);
    else if (frame.t === "epoch") entry?.epochNotice(frame);
    else entry?.gap(frame);
  }
  sendSubscribe(entry) {
    const connection = this.connection;
    if (!connection) return;
    try {
      requirePubSub(connection);
    } catch (error) {
      entry.acked({ t: "ack", uid: entry.id, k: "refused", seq: 0, reason: error.message });
      return;
    }
    const epoch = connection.peer.ps >= 2 ? entry.tracker.epoch : void 0;
    connection.write({ t: "sub", uid: entry.id, topic: entry.topic, from: entry.tracker.resumeFrom(), ...epoch ? { epoch } : {} });
  }
  sendUnsubscribe(entry) {
    const connection = this.connection;
    if (!connection || connection.isEnded) return false;
    connection.write({ t: "unsub", uid: entry.id });
    return true;
  }
};
function requirePubSub(connection) {
  if (!connection.peer.ps) throw new Error('The server does not offer pub/sub (its WELCOME lacks "ps":1)');
}

// src/client/emitter.ts
var Emitter = class {
  listeners = /* @__PURE__ */ new Map();
  on(event, handler) {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, set = /* @__PURE__ */ new Set());
    const listener = handler;
    set.add(listener);
    return () => set.delete(listener);
  }
  emit(event, payload) {
    for (const listener of [...this.listeners.get(event) ?? []]) {
      try {
        listener(payload);
      } catch (error) {
        reportError(error);
      }
    }
  }
};

// src/client/endpoint.ts
function pageLocation() {
  const location = globalThis.location;
  return typeof location?.href === "string" ? location.href : void 0;
}
function webSocketUrl(url) {
  const resolved = new URL(String(url), pageLocation());
  if (resolved.protocol === "http:") resolved.protocol = "ws:";
  else if (resolved.protocol === "https:") resolved.protocol = "wss:";
  if (resolved.protocol !== "ws:" && resolved.protocol !== "wss:") throw new TypeError(`WsRestClient: unsupported URL scheme ${resolved.protocol}`);
  resolved.hash = "";
  return resolved;
}
function httpOrigin(url) {
  return `${url.protocol === "wss:" ? "https:" : "http:"}//${url.host}`;
}
function authorizationValue(token) {
  return /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]* \S/.test(token) ? token : `Bearer ${token}`;
}

// src/client/reconnect-policy.ts
var ReconnectPolicy = class {
  constructor(options, random = Math.random) {
    this.random = random;
    this.initialDelayMs = options?.initialDelayMs ?? 1e3;
    this.maxDelayMs = options?.maxDelayMs ?? 3e4;
    this.maxAttempts = options?.maxAttempts ?? Number.POSITIVE_INFINITY;
    if (!(this.initialDelayMs >= 0) || !(this.maxDelayMs >= this.initialDelayMs) || !(this.maxAttempts >= 1)) {
      throw new RangeError("reconnect: need 0 <= initialDelayMs <= maxDelayMs and maxAttempts >= 1");
    }
  }
  initialDelayMs;
  maxDelayMs;
  maxAttempts;
  /** The delay before attempt `attempt` (0-based), or undefined when the attempts are used up. */
  nextDelay(attempt) {
    if (attempt >= this.maxAttempts) return void 0;
    const bound = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** Math.min(attempt, 30));
    return Math.floor(this.random() * bound);
  }
};

// src/client/client.ts
var localSettings = {
  mcs: 100,
  isw: 256 * 1024,
  icw: 1024 * 1024,
  mms: 1024 * 1024,
  mhl: 64 * 1024,
  hb: 0,
  // 2: pub/sub with epochs (§10.1): epoch notices, and the epoch in a resuming "sub".
  ps: 2
};
var WsRestClient = class {
  constructor(options) {
    this.options = options;
    if (!options || options.url === void 0) throw new TypeError("WsRestClient: options.url is required");
    this.url = webSocketUrl(options.url);
    const WebSocketImpl = options.WebSocket ?? globalThis.WebSocket;
    if (!WebSocketImpl) throw new TypeError("WsRestClient: no WebSocket here; pass options.WebSocket (in Node: the ws package)");
    this.WebSocketImpl = WebSocketImpl;
    this.policy = options.reconnect === false ? void 0 : new ReconnectPolicy(options.reconnect);
    const origin = httpOrigin(this.url);
    this.fetchHost = { baseUrl: pageLocation() ?? origin, connection: (signal) => this.connectionFor(signal) };
  }
  current;
  currentState = "disconnected";
  emitter = new Emitter();
  pubsub = new PubSub();
  policy;
  url;
  WebSocketImpl;
  fetchHost;
  handler;
  previousId;
  /** Bumped by start() and stop(), so a connect or reconnect loop from before notices it is stale. */
  generation = 0;
  stateWaiters = [];
  wakeReconnect;
  removeNetworkListeners;
  get state() {
    return this.currentState;
  }
  /** The id the server gave the current connection (32 hex digits), or undefined when not connected. */
  get connectionId() {
    return this.current?.id;
  }
  /** Listens to a state event; returns a function that stops listening. */
  on(event, handler) {
    return this.emitter.on(event, handler);
  }
  /** Connects (one attempt). Rejects if it fails; reconnecting applies only to connections lost later. */
  async start() {
    if (this.currentState !== "disconnected" && this.currentState !== "closed") {
      throw new Error(`WsRestClient.start: the client is already ${this.currentState}`);
    }
    const generation = ++this.generation;
    this.listenToNetwork();
    this.setState("connecting");
    try {
      await this.connect(generation);
    } catch (error) {
      if (generation === this.generation) this.giveUp(error);
      throw error;
    }
  }
  /** Closes the connection; requests in flight fail with a TypeError and every subscription ends. */
  async stop() {
    this.generation++;
    this.wakeReconnect?.();
    this.removeNetworkListeners?.();
    this.removeNetworkListeners = void 0;
    const connection = this.current;
    this.current = void 0;
    this.pubsub.detach(void 0);
    this.pubsub.clear();
    const wasConnected = this.currentState === "connected";
    this.setState("disconnected");
    connection?.closeGracefully();
    if (wasConnected) this.emitter.emit("disconnected", { error: void 0 });
  }
  /** `fetch` over WsRest: same arguments, a real Response; only the URL's path and query are sent. */
  fetch(input, init) {
    return wsrestFetch(this.fetchHost, input, init);
  }
  /** Subscribes to a topic; resolves once the server has acknowledged the subscription. */
  subscribe(topic, handler, options) {
    if (this.currentState === "disconnected" || this.currentState === "closed") {
      return Promise.reject(new Error(`WsRestClient.subscribe: the client is ${this.currentState}; call start() first`));
    }
    return this.pubsub.subscribe(topic, handler, options, this.current);
  }
  /** Publishes an event (the server must allow clients to publish); resolves with its sequence number. */
  async publish(topic, data, options) {
    const connection = await this.connectionFor(void 0);
    return this.pubsub.publish(topic, data, options, connection);
  }
  /**
   * Answers the server's requests into this client (docs/reverse.md) with `handler`. Without a handler
   * they are refused (RefusedStream). Returns a function that removes the handler.
   */
  serve(handler) {
    if (typeof handler !== "function") throw new TypeError("WsRestClient.serve: handler must be a function");
    this.handler = handler;
    return () => {
      if (this.handler === handler) this.handler = void 0;
    };
  }
  async connect(generation) {
    const stale = () => generation !== this.generation;
    const token = this.options.auth ? await this.options.auth() : void 0;
    if (stale()) throw new WsRestError("The client was stopped");
    const url = new URL(this.url);
    if (token !== void 0 && this.options.authInQuery) url.searchParams.set("access_token", token);
    this.emitter.emit("connecting", { url: this.url.href });
    const handshakeTimeoutMs = this.options.handshakeTimeoutMs ?? 1e4;
    const socket = await Socket.open(url.href, this.WebSocketImpl, handshakeTimeoutMs);
    if (stale()) {
      socket.close(1e3, "client stopped");
      throw new WsRestError("The client was stopped");
    }
    const hello = { t: "hello", v: 1, s: localSettings, md: metadataList(this.options.metadata) };
    if (this.previousId) hello.prev = this.previousId;
    if (token !== void 0 && !this.options.authInQuery) hello.auth = authorizationValue(token);
    const welcome = await handshake(socket, hello, handshakeTimeoutMs);
    if (stale()) {
      socket.close(1e3, "client stopped");
      throw new WsRestError("The client was stopped");
    }
    const peer = withDefaults(welcome.s);
    const heartbeatTimeoutMs = this.options.heartbeatTimeoutMs ?? (peer.hb > 0 ? 2 * peer.hb + 5e3 : 6e4);
    const events = {
      request: (stream, frame) => serveRequest(connection, stream, frame, this.handler, httpOrigin(this.url)),
      pubsub: (frame) => this.pubsub.receive(frame),
      goaway: () => void 0,
      closed: (error) => this.lost(connection, error)
    };
    const connection = new Connection(socket, welcome.id, peer, localSettings, events, heartbeatTimeoutMs);
    const reconnected = this.previousId !== void 0;
    this.previousId = welcome.id;
    this.current = connection;
    this.pubsub.attach(connection);
    this.setState("connected");
    connection.start();
    if (connection.isEnded) return;
    this.emitter.emit("connected", { connectionId: welcome.id, reconnected });
  }
  lost(connection, error) {
    if (this.current !== connection) return;
    this.current = void 0;
    this.pubsub.detach(error);
    const cause = error ?? new WsRestError("The connection ended");
    this.emitter.emit("disconnected", { error: cause });
    if (!this.policy) {
      this.giveUp(cause);
      return;
    }
    void this.reconnect(cause, this.generation);
  }
  async reconnect(error, generation) {
    this.setState("reconnecting");
    let lastError = error;
    for (let attempt = 0; ; attempt++) {
      const delayMs = this.policy.nextDelay(attempt);
      if (delayMs === void 0) {
        this.giveUp(lastError);
        return;
      }
      this.emitter.emit("reconnecting", { error: lastError, attempt: attempt + 1, delayMs });
      await this.delay(delayMs);
      if (generation !== this.generation) return;
      try {
        await this.connect(generation);
        return;
      } catch (failure) {
        if (generation !== this.generation) return;
        lastError = failure;
        if (failure instanceof WsRestRefusedError) {
          this.giveUp(failure);
          return;
        }
      }
    }
  }
  /** Waits `ms`, or less when the browser comes back online or the client is stopped. */
  delay(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(wake, ms);
      const self = this;
      function wake() {
        clearTimeout(timer);
        if (self.wakeReconnect === wake) self.wakeReconnect = void 0;
        resolve();
      }
      this.wakeReconnect = wake;
    });
  }
  giveUp(error) {
    this.removeNetworkListeners?.();
    this.removeNetworkListeners = void 0;
    this.pubsub.clear();
    this.setState("closed");
    this.emitter.emit("closed", { error });
  }
  /** The connection for a request, waiting while the client connects; a TypeError (like fetch) when there is none. */
  async connectionFor(signal) {
    for (; ; ) {
      signal?.throwIfAborted();
      const connection = this.current;
      if (connection?.usable) return connection;
      if (this.currentState === "disconnected" || this.currentState === "closed") {
        throw new TypeError(`Failed to fetch: the WsRest client is ${this.currentState}`);
      }
      await this.stateChange(signal);
    }
  }
  stateChange(signal) {
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.stateWaiters.push(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
    });
  }
  setState(state) {
    this.currentState = state;
    const waiters = this.stateWaiters;
    this.stateWaiters = [];
    for (const wake of waiters) wake();
  }
  /**
   * A browser that comes back online reconnects at once instead of waiting out its backoff; a network
   * change while connected probes the server, since the old socket may be dead without knowing it.
   */
  listenToNetwork() {
    const target = globalThis;
    if (typeof target.addEventListener !== "function" || this.removeNetworkListeners) return;
    const online = () => {
      if (this.currentState === "reconnecting") this.wakeReconnect?.();
      else this.current?.probe();
    };
    const offline = () => this.current?.probe();
    target.addEventListener("online", online);
    target.addEventListener("offline", offline);
    this.removeNetworkListeners = () => {
      target.removeEventListener?.("online", online);
      target.removeEventListener?.("offline", offline);
    };
  }
};
function metadataList(metadata) {
  if (!metadata) return void 0;
  return Array.isArray(metadata) ? metadata.map(([key, value]) => [String(key), String(value)]) : Object.entries(metadata).map(([key, value]) => [key, String(value)]);
}
export {
  ErrorCode,
  WsRestClient,
  WsRestError,
  WsRestRefusedError
};
