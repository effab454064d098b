/** Error codes of CANCEL, GOAWAY and ERROR (docs/protocol.md §8). Unknown numbers are reported as they are. */
export const ErrorCode = {
  NoError: 0,
  ProtocolError: 1,
  InternalError: 2,
  FlowControlError: 3,
  RefusedStream: 4,
  Cancel: 5,
  MessageTooLarge: 6,
  HandshakeTimeout: 7,
  UnsupportedVersion: 8,
  GoingAway: 9,
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const names = new Map<number, string>(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

/** The name of a code for messages ("ProtocolError"), or the number for an unknown one. */
export function errorCodeName(code: number): string {
  return names.get(code) ?? String(code);
}
