import type { FrameOf } from '../protocol/frames.js';
import type { IncomingBody } from './incoming-body.js';
import { ReceiveWindow, SendCredit } from './send-credit.js';

/** Why a stream ended early: the peer's CANCEL (or GOAWAY), or the connection's end. */
export type ResetKind = 'peer' | 'connection';

/** What the owner of a stream (a fetch, or a served request) is told. */
export interface StreamOwner {
  /** The RESPONSE head of a stream we opened; its body follows in `stream.body`. */
  head?(frame: FrameOf<'res'>): void;
  /** The peer reset the stream or its connection ended; `error` says why. The owner fails its bodies. */
  reset(error: Error, kind: ResetKind, code: number | undefined): void;
}

/** One stream (§3.3): its windows both ways, its incoming body and where it is in its life cycle. */
export class Stream {
  readonly sendCredit: SendCredit;
  readonly receiveWindow: ReceiveWindow;
  body: IncomingBody | undefined;
  headReceived = false;
  localEnded = false;
  remoteEnded = false;
  closed = false;
  /** Set when the body we send must stop (reset, or CANCEL NoError after a complete response, §6.1). */
  sendStopped = false;

  constructor(readonly id: number, public owner: StreamOwner, peerStreamWindow: number, localStreamWindow: number) {
    this.sendCredit = new SendCredit(peerStreamWindow);
    this.receiveWindow = new ReceiveWindow(localStreamWindow);
  }

  get isLocal(): boolean {
    return this.id % 2 === 1;
  }
}
