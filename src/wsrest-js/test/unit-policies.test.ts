import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReconnectPolicy } from '../src/client/reconnect-policy.js';
import { type Clock, Heartbeat } from '../src/engine/heartbeat.js';
import { SequenceTracker } from '../src/pubsub/sequence-tracker.js';

describe('reconnect policy', () => {
  it('full jitter: a random delay from 0 up to a bound that doubles to the cap', () => {
    const top = new ReconnectPolicy({ initialDelayMs: 100, maxDelayMs: 1000 }, () => 0.999999);
    assert.deepEqual([0, 1, 2, 3, 4, 10].map((n) => top.nextDelay(n)), [99, 199, 399, 799, 999, 999]);
    const bottom = new ReconnectPolicy({ initialDelayMs: 100, maxDelayMs: 1000 }, () => 0);
    assert.equal(bottom.nextDelay(5), 0);
  });

  it('stops after maxAttempts', () => {
    const policy = new ReconnectPolicy({ initialDelayMs: 1, maxDelayMs: 1, maxAttempts: 2 }, () => 0.5);
    assert.notEqual(policy.nextDelay(1), undefined);
    assert.equal(policy.nextDelay(2), undefined);
  });

  it('rejects a cap below the first delay', () => {
    assert.throws(() => new ReconnectPolicy({ initialDelayMs: 10, maxDelayMs: 5 }), RangeError);
  });
});

describe('sequence tracker (§10.6)', () => {
  it('reports a hole once, whether it sees the next event or the gap notice first', () => {
    const tracker = new SequenceTracker(0);
    tracker.subscribed(42);
    assert.deepEqual(tracker.event(43), { deliver: true });
    assert.deepEqual(tracker.event(46), { deliver: true, lost: { from: 44, to: 45 } });
    assert.equal(tracker.gap(44, 45), undefined, 'already reported');
    assert.deepEqual(tracker.gap(44, 48), { from: 47, to: 48 }, 'only the part not seen yet');
    assert.deepEqual(tracker.event(48), { deliver: false }, 'counted as lost already');
  });

  it('skips replayed events and resumes after the last one seen', () => {
    const tracker = new SequenceTracker(10);
    assert.deepEqual(tracker.event(10), { deliver: true });
    assert.deepEqual(tracker.event(10), { deliver: false });
    assert.equal(tracker.resumeFrom(), 11);
  });

  it('follows the server when its numbering restarted (ACK below what was seen)', () => {
    const tracker = new SequenceTracker(0);
    tracker.event(500);
    tracker.subscribed(3);
    assert.deepEqual(tracker.event(4), { deliver: true });
  });

  it('resumes from the ACK when nothing arrived, and from the requested sequence when nothing was acknowledged', () => {
    const acked = new SequenceTracker(0);
    acked.subscribed(7);
    assert.equal(acked.resumeFrom(), 8);
    assert.equal(new SequenceTracker(0).resumeFrom(), 0);
    assert.equal(new SequenceTracker(5).resumeFrom(), 5);
  });
});

/** A clock the test moves by hand; timers fire in order as time passes. */
class ManualClock implements Clock {
  time = 0;
  private timers: { at: number; callback: () => void; handle: number }[] = [];
  private nextHandle = 1;

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = this.nextHandle++;
    this.timers.push({ at: this.time + ms, callback, handle });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.handle !== handle);
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const timer = this.timers[0];
      if (!timer || timer.at > end) break;
      this.timers.shift();
      this.time = Math.max(this.time, timer.at);
      timer.callback();
    }
    this.time = end;
  }

  /** A throttled background tab: nothing runs for `ms`, then every due timer fires at once. */
  freeze(ms: number): void {
    this.time += ms;
  }
}

describe('heartbeat (§13.5)', () => {
  it('a busy connection never pings and is never declared dead', () => {
    const clock = new ManualClock();
    const pings: string[] = [];
    let dead = false;
    const heartbeat = new Heartbeat(30_000, (p) => pings.push(p), () => (dead = true), clock);
    for (let i = 0; i < 100; i++) {
      clock.advance(5_000);
      heartbeat.arrived();
    }
    assert.deepEqual(pings, []);
    assert.equal(dead, false);
    heartbeat.stop();
  });

  it('a silent peer gets a ping, and is dead after the timeout and a grace without an answer', () => {
    const clock = new ManualClock();
    const pings: string[] = [];
    let deadAt: number | undefined;
    const heartbeat = new Heartbeat(30_000, (p) => pings.push(p), () => (deadAt = clock.now()), clock);
    clock.advance(15_000);
    assert.equal(pings.length, 1, 'pinged at half the timeout');
    clock.advance(14_000);
    assert.equal(deadAt, undefined);
    clock.advance(10_000);
    assert.equal(deadAt, 30_000);
    heartbeat.stop();
  });

  it('a tab throttled past the timeout is not declared dead while its messages are handled first', () => {
    const clock = new ManualClock();
    let dead = false;
    const heartbeat = new Heartbeat(30_000, () => undefined, () => (dead = true), clock);
    clock.freeze(120_000);
    // The thawed tab handles the server's queued ping before the overdue timer.
    heartbeat.arrived();
    clock.advance(0);
    assert.equal(dead, false);
    // Even if the timer runs first, it only pings and waits a grace period for an answer.
    clock.freeze(120_000);
    clock.advance(0);
    assert.equal(dead, false);
    heartbeat.arrived();
    clock.advance(20_000);
    assert.equal(dead, false, 'the grace answer counted');
    heartbeat.stop();
  });

  it('probe (network change) gives up after the grace period without an answer', () => {
    const clock = new ManualClock();
    const pings: string[] = [];
    let dead = false;
    const heartbeat = new Heartbeat(30_000, (p) => pings.push(p), () => (dead = true), clock);
    clock.advance(1_000);
    heartbeat.probe();
    assert.equal(pings.length, 1);
    clock.advance(5_000);
    assert.equal(dead, true);
  });
});
