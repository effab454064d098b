/** Timers and clock, injectable so tests drive time instead of sleeping. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Dead-peer detection for a browser (§13.5). Any arriving message is liveness; the server's pings keep
 * a healthy connection busy. One long timer checks the wall clock against the last arrival instead of
 * a short repeating timer, because hidden tabs run timers late (once a minute or less): a late check
 * only detects a dead peer late, it never declares a live one dead, since before giving up it sends
 * its own ping and waits `grace` for any message (after a frozen tab thaws, messages that arrived
 * meanwhile are handled before that wait ends).
 */
export class Heartbeat {
  private lastArrival: number;
  private pingSentAt: number | undefined;
  private timer: unknown;
  private stopped = false;
  private counter = 0;
  private probing = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly sendPing: (payload: string) => void,
    private readonly dead: (idleMs: number) => void,
    private readonly clock: Clock = systemClock,
    private readonly graceMs = Math.min(5000, timeoutMs / 2),
  ) {
    this.lastArrival = clock.now();
    this.arm(timeoutMs / 2);
  }

  /** A message arrived: the peer is alive. Cheap: no timer is touched. */
  arrived(): void {
    this.lastArrival = this.clock.now();
    this.pingSentAt = undefined;
    this.probing = false;
  }

  /**
   * The network may have changed (the browser's online/offline events): ping now and give up on the
   * peer if nothing arrives within the grace period.
   */
  probe(): void {
    if (this.stopped) return;
    this.probing = true;
    if (this.pingSentAt === undefined) this.ping();
    this.arm(this.graceMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const now = this.clock.now();
    const idle = now - this.lastArrival;
    if (this.pingSentAt !== undefined && now - this.pingSentAt >= this.graceMs && (idle >= this.timeoutMs || this.probing)) {
      this.stopped = true;
      this.dead(idle);
      return;
    }
    if (this.pingSentAt === undefined && idle >= this.timeoutMs / 2) {
      this.ping();
    }
    if (this.pingSentAt === undefined) {
      this.arm(this.timeoutMs / 2 - idle);
    } else {
      const untilGrace = this.graceMs - (now - this.pingSentAt);
      this.arm(this.probing ? untilGrace : Math.max(untilGrace, this.timeoutMs - idle));
    }
  }

  private ping(): void {
    this.pingSentAt = this.clock.now();
    this.counter++;
    this.sendPing(this.counter.toString(16).padStart(16, '0'));
  }

  private arm(ms: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.check(), Math.max(ms, 1));
  }
}
