import { reportError } from '../http/serve.js';
import type { FrameOf } from '../protocol/frames.js';
import { eventData } from './event-data.js';
import { SequenceTracker } from './sequence-tracker.js';
import type { Subscription, SubscriptionHandler, SubscriptionMessage } from './types.js';

export type SubscriptionState = 'subscribing' | 'active' | 'unsubscribing' | 'done';

/** One subscription's state and its serial delivery queue (§10.6). */
export class SubscriptionEntry implements Subscription {
  state: SubscriptionState = 'subscribing';
  readonly tracker: SequenceTracker;
  private delivery: Promise<void> = Promise.resolve();
  private subscribed: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  private unsubscribed: (() => void) | undefined;
  private unsubscribing: Promise<void> | undefined;

  constructor(
    readonly id: number,
    readonly topic: string,
    private readonly handler: SubscriptionHandler,
    fromSequence: number,
    private readonly sendUnsubscribe: (entry: SubscriptionEntry) => boolean,
    private readonly forget: (entry: SubscriptionEntry) => void,
  ) {
    this.tracker = new SequenceTracker(fromSequence);
  }

  get lastSequence(): number | undefined {
    return this.tracker.lastSequence;
  }

  get epoch(): number | undefined {
    return this.tracker.epoch;
  }

  /** Resolves at the first ACK(Subscribed), rejects at ACK(Refused). */
  firstAck(): Promise<void> {
    return new Promise((resolve, reject) => (this.subscribed = { resolve, reject }));
  }

  acked(frame: FrameOf<'ack'>): void {
    if (frame.k === 'subscribed') {
      if (this.state === 'subscribing') this.state = 'active';
      this.tracker.subscribed(frame.seq);
      this.subscribed?.resolve();
      this.subscribed = undefined;
    } else if (frame.k === 'unsubscribed' || frame.k === 'refused') {
      const refusal = frame.k === 'refused' && this.state !== 'unsubscribing' ? new Error(`Subscription to ${this.topic} refused: ${frame.reason}`) : undefined;
      if (refusal && this.subscribed) {
        this.subscribed.reject(refusal);
        this.subscribed = undefined;
      } else if (refusal) {
        // Refused on a resubscribe after a reconnect: nobody awaits it any more.
        reportError(refusal);
      }
      this.finish();
    }
  }

  event(frame: FrameOf<'event'>): void {
    if (this.state === 'done') return;
    const { deliver, lost } = this.tracker.event(frame.seq);
    if (lost) this.deliver({ type: 'gap', topic: this.topic, epoch: this.tracker.epoch, ...lost });
    if (deliver) {
      this.deliver({ type: 'event', topic: this.topic, epoch: this.tracker.epoch, sequence: frame.seq, contentType: frame.ct, data: eventData(frame.body, frame.ct) });
    }
  }

  gap(frame: FrameOf<'gap'>): void {
    if (this.state === 'done') return;
    const lost = this.tracker.gap(frame.from, frame.to);
    if (lost) this.deliver({ type: 'gap', topic: this.topic, epoch: this.tracker.epoch, ...lost });
  }

  /** The topic's numbering is this epoch's from here on (§10.5): a different one than before is a reset. */
  epochNotice(frame: FrameOf<'epoch'>): void {
    if (this.state === 'done') return;
    if (this.tracker.epochNotice(frame.epoch)) this.deliver({ type: 'reset', topic: this.topic, epoch: frame.epoch });
  }

  /** The connection ended: a pending unsubscribe is complete (the server forgot the subscription). */
  connectionLost(): void {
    if (this.state === 'unsubscribing') this.finish();
    else if (this.state === 'active') this.state = 'subscribing';
  }

  unsubscribe(): Promise<void> {
    if (this.state === 'done') return this.delivery;
    this.unsubscribing ??= new Promise<void>((resolve) => {
      this.unsubscribed = resolve;
      this.state = 'unsubscribing';
      // Not connected: the server holds no subscription, so it ends here.
      if (!this.sendUnsubscribe(this)) this.finish();
    }).then(() => this.delivery);
    return this.unsubscribing;
  }

  private finish(): void {
    this.state = 'done';
    this.forget(this);
    this.subscribed?.reject(new Error(`The subscription to ${this.topic} ended before the server acknowledged it`));
    this.subscribed = undefined;
    this.unsubscribed?.();
    this.unsubscribed = undefined;
  }

  private deliver(message: SubscriptionMessage): void {
    this.delivery = this.delivery.then(() => this.handler(message)).catch(reportError);
  }
}
