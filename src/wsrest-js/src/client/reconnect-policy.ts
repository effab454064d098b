import type { ReconnectOptions } from './options.js';

/**
 * Exponential backoff with full jitter: attempt n waits a random time from 0 to
 * min(maxDelayMs, initialDelayMs * 2^n), so clients cut off together do not return together.
 */
export class ReconnectPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxAttempts: number;

  constructor(options: ReconnectOptions | undefined, private readonly random: () => number = Math.random) {
    this.initialDelayMs = options?.initialDelayMs ?? 1000;
    this.maxDelayMs = options?.maxDelayMs ?? 30_000;
    this.maxAttempts = options?.maxAttempts ?? Number.POSITIVE_INFINITY;
    if (!(this.initialDelayMs >= 0) || !(this.maxDelayMs >= this.initialDelayMs) || !(this.maxAttempts >= 1)) {
      throw new RangeError('reconnect: need 0 <= initialDelayMs <= maxDelayMs and maxAttempts >= 1');
    }
  }

  /** The delay before attempt `attempt` (0-based), or undefined when the attempts are used up. */
  nextDelay(attempt: number): number | undefined {
    if (attempt >= this.maxAttempts) return undefined;
    const bound = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** Math.min(attempt, 30));
    return Math.floor(this.random() * bound);
  }
}
