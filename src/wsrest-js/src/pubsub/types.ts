/** An event delivered to a subscription. */
export interface EventMessage {
  type: 'event';
  topic: string;
  /**
   * The epoch of the topic's numbering (§10.5): it changes only when the numbering restarts, so
   * (epoch, sequence) names one event for good. Undefined when the server announces no epochs.
   */
  epoch: number | undefined;
  /** The event's number in its topic (1, 2, 3, ... within its epoch). */
  sequence: number;
  contentType: string | undefined;
  /** Parsed JSON for JSON content types, a string for text/*, a Uint8Array otherwise. */
  data: unknown;
}

/** Events `from`..`to` of the topic were lost (slow reader, replay buffer exceeded, a reconnect). */
export interface GapMessage {
  type: 'gap';
  topic: string;
  /** The epoch `from`..`to` belong to (see EventMessage.epoch). */
  epoch: number | undefined;
  from: number;
  to: number;
}

/**
 * The topic's numbering restarted (a server restart): the following events belong to `epoch` and are
 * numbered from 1 again. Events of the old epoch not delivered before it are not reported.
 */
export interface ResetMessage {
  type: 'reset';
  topic: string;
  epoch: number;
}

export type SubscriptionMessage = EventMessage | GapMessage | ResetMessage;

/** Runs serially: the next message waits until the promise a handler returns has settled. */
export type SubscriptionHandler = (message: SubscriptionMessage) => void | Promise<void>;

export interface SubscribeOptions {
  /** Replay from this sequence (resume); 0 or absent: live events only. */
  fromSequence?: number;
}

export interface PublishOptions {
  /** Default: text/plain for strings, application/octet-stream for bytes, application/json otherwise. */
  contentType?: string;
}

/** A live subscription; it survives reconnects (resuming from its last sequence). */
export interface Subscription {
  readonly topic: string;
  /** The highest sequence delivered or reported lost so far (in `epoch`). */
  readonly lastSequence: number | undefined;
  /** The epoch of the topic's numbering; undefined while the server announced none. */
  readonly epoch: number | undefined;
  /**
   * Ends the subscription. Resolves once the server has acknowledged it and every event it sent
   * before its acknowledgement has been handled: nothing published before the call is discarded.
   */
  unsubscribe(): Promise<void>;
}
