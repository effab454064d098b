import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** §13.7 of docs/protocol.md: the example exchange, one text message per line ('>' client, '<' server). */
export const exampleExchange: readonly string[] = [
  '> {"t":"hello","v":1,"md":[["tenant","acme"]],"s":{"ps":1}}',
  '< {"t":"welcome","v":1,"id":"00112233445566778899aabbccddeeff","s":{"hb":15000,"ps":2}}',
  '> {"t":"ready"}',
  '> {"uid":1,"m":"GET","r":"/pets/1","h":[["accept","application/json"]]}',
  '< {"uid":1,"c":200,"h":[["content-type","application/json; charset=utf-8"]],"d":{"id":1}}',
  '> {"t":"sub","uid":3,"topic":"pets/created"}',
  '< {"t":"ack","uid":3,"k":"subscribed","seq":42}',
  '< {"t":"event","uid":3,"seq":43,"ct":"application/json","d":{"id":7}}',
  '< [{"t":"gap","uid":3,"from":44,"to":50},{"t":"ping","p":"0000000000000001"}]',
  '> {"t":"pong","p":"0000000000000001"}',
  '> {"uid":5,"m":"POST","r":"/pets","h":[["content-type","application/json"]],"d":{"name":"Rex"}}',
  '< {"t":"window","n":524288}',
  '< {"uid":5,"c":201,"h":[["content-type","application/json; charset=utf-8"],["location","/pets/8"]],"d":{"id":8,"name":"Rex"}}',
  '< {"uid":2,"m":"GET","r":"/status"}',
  '> {"uid":2,"c":200,"h":[["content-type","text/plain"]],"d":"ok"}',
  '> {"t":"cancel","uid":7,"code":5}',
];

/** The example column of §13.4's frame table. */
export const tableExamples: readonly string[] = [
  '{"t":"hello","v":1,"md":[["tenant","acme"]]}',
  '{"t":"welcome","v":1,"id":"00112233445566778899aabbccddeeff","s":{"hb":15000,"ps":1}}',
  '{"t":"ready"}',
  '{"uid":1,"m":"GET","r":"/pets/1"}',
  '{"uid":1,"c":200,"h":[["content-type","application/json"]],"d":{"id":1}}',
  '{"t":"data","uid":3,"d":"YWJj","de":"base64","e":true}',
  '{"t":"window","n":131072}',
  '{"t":"cancel","uid":3,"code":5}',
  '{"t":"goaway","last":7,"code":9,"reason":"shutdown"}',
  '{"t":"error","code":1,"reason":"Malformed JSON"}',
  '{"t":"ping","p":"0000000000000001"}',
  '{"t":"pong","p":"0000000000000001"}',
  '{"t":"sub","uid":5,"topic":"pets/created","from":0}',
  '{"t":"sub","uid":5,"topic":"pets/created","from":43,"epoch":8595779056284594}',
  '{"t":"unsub","uid":5}',
  '{"t":"ack","uid":5,"k":"subscribed","seq":42}',
  '{"t":"event","uid":5,"seq":43,"ct":"application/json","d":{"id":7}}',
  '{"t":"gap","uid":5,"from":44,"to":50}',
  '{"t":"epoch","uid":5,"epoch":8595779056284594}',
  '{"t":"pub","uid":6,"topic":"chat","ct":"text/plain","d":"hi"}',
];

/** The lines of §13.7 as docs/protocol.md has them, or undefined while the doc has no §13.7 yet. */
export function exampleExchangeFromDocs(): string[] | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  // build/test -> src/wsrest-js -> repository root
  const path = join(here, '..', '..', '..', '..', 'docs', 'protocol.md');
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  const section = text.indexOf('### 13.7');
  if (section < 0) return undefined;
  const start = text.indexOf('```', section);
  const end = text.indexOf('```', start + 3);
  return text
    .slice(start + 3, end)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('>') || line.startsWith('<'));
}
