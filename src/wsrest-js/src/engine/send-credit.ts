import { ErrorCode } from '../protocol/error-codes.js';
import { FrameDecodeError } from '../protocol/decode.js';

const maxWindow = 2 ** 31 - 1;

/** Credit to send body bytes on one window (a stream's or the connection's, §7). */
export class SendCredit {
  private waiters: (() => void)[] = [];

  constructor(public available: number) {}

  /** A WINDOW frame: more credit. Overflowing 2^31-1 is a FlowControlError (§7). */
  grant(increment: number): void {
    if (this.available + increment > maxWindow) {
      throw new FrameDecodeError(ErrorCode.FlowControlError, 'WINDOW overflowed the send window');
    }
    this.available += increment;
    this.wake();
  }

  /** Resolves when credit may have changed (granted, or the waiter was woken to give up). */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * Takes up to `wanted` bytes of credit from both the stream and the connection window, waiting while
 * either is empty; returns 0 only if `stopped()` became true while waiting.
 */
export async function takeCredit(stream: SendCredit, connection: SendCredit, wanted: number, stopped: () => boolean): Promise<number> {
  for (;;) {
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

/**
 * The receive side of one window (§7): bytes may not exceed the window, and credit goes back in
 * batches once half the window has been consumed.
 */
export class ReceiveWindow {
  private outstanding = 0;
  private consumedSinceUpdate = 0;

  constructor(private readonly size: number) {}

  /** Body bytes arrived; more than the window allows is a FlowControlError (§7). */
  received(n: number): void {
    if (this.outstanding + n > this.size) {
      throw new FrameDecodeError(ErrorCode.FlowControlError, 'The peer sent body bytes beyond the flow-control window');
    }
    this.outstanding += n;
  }

  /** Bytes were consumed (or released); returns the WINDOW increment to send now, or 0 to wait. */
  consumed(n: number): number {
    this.outstanding -= n;
    this.consumedSinceUpdate += n;
    if (this.consumedSinceUpdate * 2 < this.size) return 0;
    const increment = this.consumedSinceUpdate;
    this.consumedSinceUpdate = 0;
    return increment;
  }
}
