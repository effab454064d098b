/** The page's address in a browser; undefined in Node. */
export function pageLocation(): string | undefined {
  const location = (globalThis as { location?: { href?: string } }).location;
  return typeof location?.href === 'string' ? location.href : undefined;
}

/** The endpoint as a ws(s):// URL; http(s) URLs are converted and relative ones resolved against the page. */
export function webSocketUrl(url: string | URL): URL {
  const resolved = new URL(String(url), pageLocation());
  if (resolved.protocol === 'http:') resolved.protocol = 'ws:';
  else if (resolved.protocol === 'https:') resolved.protocol = 'wss:';
  if (resolved.protocol !== 'ws:' && resolved.protocol !== 'wss:') throw new TypeError(`WsRestClient: unsupported URL scheme ${resolved.protocol}`);
  resolved.hash = '';
  return resolved;
}

/** The http(s) origin of the endpoint, the base of served requests' URLs. */
export function httpOrigin(url: URL): string {
  return `${url.protocol === 'wss:' ? 'https:' : 'http:'}//${url.host}`;
}

/** A credential for HELLO's auth (§13.4): a bare token becomes "Bearer <token>". */
export function authorizationValue(token: string): string {
  return /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]* \S/.test(token) ? token : `Bearer ${token}`;
}
