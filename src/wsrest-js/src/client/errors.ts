import { errorCodeName } from '../protocol/error-codes.js';

/** A WsRest connection failed or was closed; `code` is the protocol error code (docs/protocol.md §8) when one was sent. */
export class WsRestError extends Error {
  constructor(message: string, readonly code?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WsRestError';
  }

  /** An error from the peer's ERROR frame or our own detection of a protocol violation. */
  static fromCode(code: number, reason: string, options?: { cause?: unknown }): WsRestError {
    return new WsRestError(`${errorCodeName(code)}${reason ? `: ${reason}` : ''}`, code, options);
  }
}

/**
 * The server refused the connection in a way that will not heal by retrying (the upgrade was
 * rejected, or the handshake failed with an ERROR such as UnsupportedVersion or "authentication
 * failed"): the client stops reconnecting.
 */
export class WsRestRefusedError extends WsRestError {
  constructor(message: string, code?: number, options?: { cause?: unknown }) {
    super(message, code, options);
    this.name = 'WsRestRefusedError';
  }
}

/** The TypeError fetch rejects with for a network error, with the reason as `cause`. */
export function networkError(cause: unknown, operation = 'Failed to fetch'): TypeError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new TypeError(`${operation} (the WsRest connection was lost${detail})`, { cause });
}
