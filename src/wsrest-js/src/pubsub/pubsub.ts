import { networkError } from '../client/errors.js';
import type { Connection, PubSubFrame } from '../engine/connection.js';
import { Body } from '../protocol/body.js';
import { publishPayload } from './event-data.js';
import { SubscriptionEntry } from './subscription.js';
import { validateTopic } from './topic.js';
import type { PublishOptions, SubscribeOptions, Subscription, SubscriptionHandler } from './types.js';

/**
 * The client's pub/sub (§10): subscriptions that outlive connections and resume on each new one,
 * and publishes awaiting their ACK. Subscription and publish ids come from one counter and are never
 * reused, because an ACK does not say which kind of id it answers (§10.2).
 */
export class PubSub {
  private nextId = 1;
  private connection: Connection | undefined;
  private readonly subscriptions = new Map<number, SubscriptionEntry>();
  private readonly publishes = new Map<number, { resolve: (sequence: number) => void; reject: (error: unknown) => void }>();

  /** A new connection: resubscribe everything from where it stopped (§10.6). */
  attach(connection: Connection): void {
    this.connection = connection;
    for (const entry of this.subscriptions.values()) {
      if (entry.state === 'subscribing') this.sendSubscribe(entry);
    }
  }

  /** The connection ended: publishes in flight fail (they may or may not have been published). */
  detach(error: Error | undefined): void {
    this.connection = undefined;
    for (const pending of this.publishes.values()) pending.reject(networkError(error, 'Publish failed'));
    this.publishes.clear();
    for (const entry of [...this.subscriptions.values()]) entry.connectionLost();
  }

  /** The client stopped: every subscription ends. */
  clear(): void {
    for (const entry of [...this.subscriptions.values()]) void entry.unsubscribe();
  }

  async subscribe(topic: string, handler: SubscriptionHandler, options: SubscribeOptions | undefined, connection: Connection | undefined): Promise<Subscription> {
    validateTopic(topic);
    if (typeof handler !== 'function') throw new TypeError('subscribe: handler must be a function');
    const from = options?.fromSequence ?? 0;
    if (!Number.isSafeInteger(from) || from < 0) throw new TypeError('subscribe: fromSequence must be a non-negative integer');
    const entry = new SubscriptionEntry(
      this.nextId++,
      topic,
      handler,
      from,
      (e) => this.sendUnsubscribe(e),
      (e) => this.subscriptions.delete(e.id),
    );
    const acked = entry.firstAck();
    this.subscriptions.set(entry.id, entry);
    if (connection && this.connection === connection) this.sendSubscribe(entry);
    await acked;
    return entry;
  }

  async publish(topic: string, data: unknown, options: PublishOptions | undefined, connection: Connection): Promise<number> {
    validateTopic(topic);
    requirePubSub(connection);
    const { bytes, contentType } = publishPayload(data, options?.contentType);
    const body = typeof bytes === 'string' ? Body.forSendingText(bytes, contentType) : Body.forSending(bytes, contentType);
    const id = this.nextId++;
    const sequence = new Promise<number>((resolve, reject) => this.publishes.set(id, { resolve, reject }));
    connection.write({ t: 'pub', uid: id, topic, ct: contentType, body });
    return sequence;
  }

  receive(frame: PubSubFrame): void {
    if (frame.t === 'ack') {
      const pending = this.publishes.get(frame.uid);
      if (pending) {
        this.publishes.delete(frame.uid);
        if (frame.k === 'published') pending.resolve(frame.seq);
        else pending.reject(new Error(`Publish refused: ${frame.reason}`));
        return;
      }
      this.subscriptions.get(frame.uid)?.acked(frame);
      return;
    }
    // §10.7: frames for ids we do not know raced an unsubscribe; they are ignored.
    const entry = this.subscriptions.get(frame.uid);
    if (frame.t === 'event') entry?.event(frame);
    else if (frame.t === 'epoch') entry?.epochNotice(frame);
    else entry?.gap(frame);
  }

  private sendSubscribe(entry: SubscriptionEntry): void {
    const connection = this.connection;
    if (!connection) return;
    try {
      requirePubSub(connection);
    } catch (error) {
      entry.acked({ t: 'ack', uid: entry.id, k: 'refused', seq: 0, reason: (error as Error).message });
      return;
    }
    // The epoch only to a server that announced epochs ("ps":2, §10.1), as for the binary encoding.
    const epoch = connection.peer.ps >= 2 ? entry.tracker.epoch : undefined;
    connection.write({ t: 'sub', uid: entry.id, topic: entry.topic, from: entry.tracker.resumeFrom(), ...(epoch ? { epoch } : {}) });
  }

  private sendUnsubscribe(entry: SubscriptionEntry): boolean {
    const connection = this.connection;
    if (!connection || connection.isEnded) return false;
    connection.write({ t: 'unsub', uid: entry.id });
    return true;
  }
}

function requirePubSub(connection: Connection): void {
  if (!connection.peer.ps) throw new Error('The server does not offer pub/sub (its WELCOME lacks "ps":1)');
}
