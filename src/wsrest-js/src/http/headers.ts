import type { HeaderList } from '../protocol/frames.js';

/** Headers never sent in a header list (§5.3): the authority is the upgrade's, framing is WsRest's own. */
const notSent: ReadonlySet<string> = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'te', 'transfer-encoding', 'upgrade']);

/** A Headers object as a header list: lowercase names, set-cookie values kept apart. */
export function toHeaderList(headers: Headers): HeaderList {
  const list: HeaderList = [];
  for (const [name, value] of headers) {
    if (notSent.has(name)) continue;
    if (name === 'set-cookie' && typeof headers.getSetCookie === 'function') {
      for (const cookie of headers.getSetCookie()) list.push([name, cookie]);
      continue;
    }
    list.push([name, value]);
  }
  return list;
}

/** A header list as Headers; repeated names are combined as Headers does for HTTP. */
export function fromHeaderList(list: HeaderList): Headers {
  const headers = new Headers();
  for (const [name, value] of list) {
    if (!notSent.has(name.toLowerCase())) headers.append(name, value);
  }
  return headers;
}
