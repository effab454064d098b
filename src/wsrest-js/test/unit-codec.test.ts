import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Body } from '../src/protocol/body.js';
import { decodeBase64, encodeBase64 } from '../src/protocol/base64.js';
import { FrameDecodeError, decodeMessage } from '../src/protocol/decode.js';
import { encodeFrame, encodeMessage } from '../src/protocol/encode.js';
import { ErrorCode } from '../src/protocol/error-codes.js';
import type { Frame } from '../src/protocol/frames.js';
import { exampleExchange, exampleExchangeFromDocs, tableExamples } from './spec-examples.js';

const text = (body: Body | undefined): string | undefined => body && new TextDecoder().decode(body.bytes());

/** Decode, encode, decode again: the frames must be equal (bodies compared as bytes). */
function assertRoundTrip(message: string): Frame[] {
  const frames = decodeMessage(message);
  const again = decodeMessage(encodeMessage(frames.map(encodeFrame)));
  assert.deepEqual(again.map(comparable), frames.map(comparable), message);
  return frames;
}

function comparable(frame: Frame): unknown {
  return 'body' in frame ? { ...frame, body: frame.body ? Array.from(frame.body.bytes()) : undefined } : frame;
}

describe('codec: the spec examples (§13.4, §13.7)', () => {
  it('§13.7 embedded here matches docs/protocol.md when the doc has it', (context) => {
    const fromDocs = exampleExchangeFromDocs();
    if (!fromDocs) {
      context.skip('docs/protocol.md has no §13.7 on this branch yet');
      return;
    }
    assert.deepEqual(fromDocs, exampleExchange);
  });

  it('every line of §13.7 decodes and round-trips', () => {
    for (const line of exampleExchange) assertRoundTrip(line.slice(2));
  });

  it('every example of §13.4 decodes and round-trips', () => {
    for (const example of tableExamples) assertRoundTrip(example);
  });

  it('the lines the client sends in §13.7 are encoded byte for byte as the spec writes them (hello aside)', () => {
    const sent = exampleExchange.filter((line) => line.startsWith('>') && !line.includes('"hello"')).map((line) => line.slice(2));
    for (const line of sent) {
      assert.equal(encodeMessage(decodeMessage(line).map(encodeFrame)), line);
    }
  });

  it('reads §13.7 as the frames it stands for', () => {
    const at = (i: number): Frame[] => decodeMessage(exampleExchange[i]!.slice(2));
    assert.deepEqual(at(0)[0], { t: 'hello', v: 1, md: [['tenant', 'acme']], s: { ps: 1 } });
    assert.deepEqual(at(1)[0], { t: 'welcome', v: 1, id: '00112233445566778899aabbccddeeff', s: { hb: 15000, ps: 2 } });
    const request = at(3)[0]!;
    assert.ok(request.t === 'req');
    assert.equal(request.m, 'GET');
    assert.equal(request.r, '/pets/1');
    assert.equal(request.e, true, 'e defaults to true on REQUEST');
    assert.equal(request.body, undefined);
    const response = at(4)[0]!;
    assert.ok(response.t === 'res');
    assert.equal(response.c, 200);
    assert.equal(text(response.body), '{"id":1}');
    assert.deepEqual(at(6)[0], { t: 'ack', uid: 3, k: 'subscribed', seq: 42, reason: '' });
    const batch = at(8);
    assert.deepEqual(batch, [
      { t: 'gap', uid: 3, from: 44, to: 50 },
      { t: 'ping', p: '0000000000000001' },
    ]);
    assert.deepEqual(at(11)[0], { t: 'window', uid: 0, n: 524288 });
    const reverse = at(13)[0]!;
    assert.ok(reverse.t === 'req' && reverse.uid === 2);
    const answer = at(14)[0]!;
    assert.ok(answer.t === 'res');
    assert.equal(answer.body?.encoding, 'text');
    assert.equal(text(answer.body), 'ok');
    const data = decodeMessage(tableExamples[5]!)[0]!;
    assert.ok(data.t === 'data');
    assert.equal(text(data.body), 'abc');
    assert.equal(data.e, true);
  });
});

describe('codec: bodies (§13.3)', () => {
  it('keeps the source text of a JSON body byte for byte (numbers JSON.parse would change)', () => {
    const [frame] = decodeMessage('{"uid":1,"c":200,"d":{"big":12345678901234567890,"f":1.50, "e":1e3}}');
    assert.ok(frame?.t === 'res');
    assert.equal(text(frame.body), '{"big":12345678901234567890,"f":1.50, "e":1e3}');
    assert.equal(frame.body?.byteLength, 46);
  });

  it('chooses JSON, text or base64 by content type', () => {
    const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
    assert.equal(Body.forSending(utf8('{"a":1}'), 'application/json; charset=utf-8').toMembers(), '"d":{"a":1}');
    assert.equal(Body.forSending(utf8('{"a":1}'), 'application/problem+json').toMembers(), '"d":{"a":1}');
    assert.equal(Body.forSending(utf8('"hi"'), 'application/json').toMembers(), '"d":"hi","de":"json"');
    assert.equal(Body.forSending(utf8('not json'), 'application/json').toMembers(), '"d":"not json"');
    assert.equal(Body.forSending(utf8('héllo'), 'text/plain').toMembers(), '"d":"héllo"');
    assert.equal(Body.forSending(utf8('abc'), 'application/octet-stream').toMembers(), '"d":"YWJj","de":"base64"');
    assert.equal(Body.forSending(new Uint8Array([0xff, 0xfe]), 'text/plain').toMembers(), '"d":"//4=","de":"base64"');
    assert.equal(Body.forSending(utf8('\u0001\u0002\u0003'), 'text/plain').toMembers(), '"d":"AQID","de":"base64"', 'escaped text longer than base64');
    assert.equal(Body.forSending(utf8('{"a":1}\n'), 'application/json').toMembers(), '"d":"{\\"a\\":1}\\n"', 'whitespace around JSON would be lost as a value');
  });

  it('reads every form whatever the content type, and counts decoded bytes', () => {
    const bodyOf = (message: string): Body | undefined => {
      const [frame] = decodeMessage(message);
      assert.ok(frame?.t === 'data');
      return frame.body;
    };
    assert.equal(text(bodyOf('{"t":"data","uid":1,"d":"quoted","de":"json"}')), '"quoted"', 'the JSON text of the string value');
    assert.equal(text(bodyOf('{"t":"data","uid":1,"d":"plain","de":"text"}')), 'plain');
    assert.equal(text(bodyOf('{"t":"data","uid":1,"d":[1, 2]}')), '[1, 2]');
    assert.equal(bodyOf('{"t":"data","uid":1,"d":"é€😀"}')?.byteLength, 2 + 3 + 4);
    assert.equal(bodyOf('{"t":"data","uid":1,"d":"AAECAw==","de":"base64"}')?.byteLength, 4);
    assert.equal(bodyOf('{"t":"data","uid":1}'), undefined);
  });

  it('base64 matches the platform both ways and rejects what RFC 4648 §4 forbids', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 100, 20_000]) {
      const bytes = new Uint8Array(length).map((_, i) => (i * 37 + length) & 255);
      const encoded = encodeBase64(bytes);
      assert.equal(encoded, Buffer.from(bytes).toString('base64'));
      assert.deepEqual(decodeBase64(encoded), bytes);
    }
    for (const bad of ['YWJ', 'YW=j', 'YWJj\n', 'Y===', '****']) assert.equal(decodeBase64(bad), undefined, bad);
  });
});

describe('codec: malformed messages are a connection error (§13.2)', () => {
  const cases: [string, string, number?][] = [
    ['not json', '{"t":'],
    ['an empty array', '[]'],
    ['an array inside an array', '[[{"t":"ready"}]]'],
    ['a top-level number', '42'],
    ['a duplicate member', '{"t":"ping","p":"0000000000000001","p":"0000000000000002"}'],
    ['a member of the wrong type', '{"t":"cancel","uid":"3","code":5}'],
    ['a missing required member', '{"t":"cancel","uid":3}'],
    ['an integer with a fraction', '{"t":"cancel","uid":3.0,"code":5}'],
    ['an integer with an exponent', '{"t":"cancel","uid":3e0,"code":5}'],
    ['a negative integer', '{"t":"cancel","uid":-3,"code":5}'],
    ['an id above 2^31-1', '{"t":"cancel","uid":2147483648,"code":5}'],
    ['a status out of range', '{"uid":1,"c":99}'],
    ['an unknown t', '{"t":"teleport"}'],
    ['neither m nor c without t', '{"uid":1}'],
    ['de without d', '{"t":"data","uid":1,"de":"text"}'],
    ['de base64 with bad base64', '{"t":"data","uid":1,"d":"YWJ","de":"base64"}'],
    ['de text with a non-string d', '{"t":"data","uid":1,"d":1,"de":"text"}'],
    ['an unknown de', '{"t":"data","uid":1,"d":"x","de":"gzip"}'],
    ['a header that is not a pair', '{"uid":1,"c":200,"h":[["a"]]}'],
    ['a header name that is not a token', '{"uid":1,"c":200,"h":[["a b","c"]]}'],
    ['a header value with CR LF', '{"uid":1,"c":200,"h":[["a","b\\r\\nc"]]}'],
    ['a ping payload that is not 16 hex digits', '{"t":"ping","p":"01"}'],
    ['a connection id in upper case', '{"t":"welcome","v":1,"id":"00112233445566778899AABBCCDDEEFF"}'],
    ['an event with seq 0', '{"t":"event","uid":1,"seq":0}'],
    ['a gap with to < from', '{"t":"gap","uid":1,"from":5,"to":4}'],
    ['an unknown ack kind', '{"t":"ack","uid":1,"k":"maybe"}'],
    ['JSON nested deeper than 256 levels', `{"t":"data","uid":1,"d":${'['.repeat(256)}${']'.repeat(256)}}`],
    ['mms below 4096', '{"t":"welcome","v":1,"id":"00112233445566778899aabbccddeeff","s":{"mms":100}}'],
    ['a WINDOW of 0', '{"t":"window","n":0}', ErrorCode.FlowControlError],
    ['a WINDOW above 2^31-1', '{"t":"window","n":2147483648}', ErrorCode.FlowControlError],
  ];
  for (const [name, message, code] of cases) {
    it(name, () => {
      assert.throws(
        () => decodeMessage(message),
        (error: unknown) => error instanceof FrameDecodeError && error.code === (code ?? ErrorCode.ProtocolError),
      );
    });
  }

  it('ignores unknown members, so later versions may add some', () => {
    assert.deepEqual(decodeMessage('{"t":"ping","p":"0000000000000001","future":{"x":[1,"]"]}}'), [{ t: 'ping', p: '0000000000000001' }]);
  });
});
