import { WsRestError } from '../client/errors.js';
import { Body } from '../protocol/body.js';
import { FrameDecodeError, decodeMessage } from '../protocol/decode.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { Frame, FrameOf, Settings } from '../protocol/frames.js';
import { utf8Length } from '../protocol/utf8.js';
import { Heartbeat } from './heartbeat.js';
import { ReceiveWindow, SendCredit, takeCredit } from './send-credit.js';
import { type Incoming, type Socket, binaryMessage } from './socket.js';
import { Stream, type StreamOwner } from './stream.js';
import { FrameWriter } from './writer.js';

export type PubSubFrame = FrameOf<'ack'> | FrameOf<'event'> | FrameOf<'gap'> | FrameOf<'epoch'>;

/** What a connection tells the client that owns it. */
export interface ConnectionEvents {
  /** The server opened a stream (an even id, §3.3); the callee sets its owner and body synchronously. */
  request(stream: Stream, frame: FrameOf<'req'>): void;
  pubsub(frame: PubSubFrame): void;
  /** The server sent GOAWAY (§6.2): open nothing more here. */
  goaway(): void;
  /** The connection ended; `error` is undefined only when we closed it ourselves. */
  closed(error: Error | undefined): void;
}

/** The stream is not processed and may be retried on another connection (RefusedStream or GOAWAY, §6.1, §6.2). */
export class StreamRefusedError extends WsRestError {
  constructor(message: string) {
    super(message, ErrorCode.RefusedStream);
    this.name = 'StreamRefusedError';
  }
}

/** Largest body chunk per DATA frame, as the reference sender's inline limit (§5.3). */
const maxChunk = 16 * 1024;

/** Room for a frame's members besides its body (the head of an inline body is checked when written). */
const frameOverhead = 512;

/**
 * One live WsRest connection after its handshake: the stream table with the id rules of §3.3, flow
 * control (§7), frame dispatch, heartbeat (§13.5) and connection errors (§6.3, §13.6).
 */
export class Connection {
  readonly writer: FrameWriter;
  readonly sendCredit: SendCredit;
  /**
   * Largest body sent inline in a head, and the DATA chunk size (§5.3): 16 KiB, less where the
   * peer's MaxMessageSize could not hold it as base64 (a body grows by at most a third, Body.forSending).
   */
  readonly inlineLimit: number;
  private readonly receiveWindow: ReceiveWindow;
  private readonly streams = new Map<number, Stream>();
  private readonly heartbeat: Heartbeat;
  private nextId = 1;
  private highestPeerId = 0;
  private openLocal = 0;
  private openRemote = 0;
  private slotWaiters: (() => void)[] = [];
  private draining = false;
  private ended = false;

  constructor(
    private readonly socket: Socket,
    readonly id: string,
    readonly peer: Required<Settings>,
    readonly local: Required<Settings>,
    private readonly events: ConnectionEvents,
    heartbeatTimeoutMs: number,
  ) {
    this.writer = new FrameWriter(socket, peer.mms);
    this.sendCredit = new SendCredit(peer.icw);
    this.receiveWindow = new ReceiveWindow(local.icw);
    this.inlineLimit = Math.min(maxChunk, Math.floor(((peer.mms - frameOverhead) * 3) / 4));
    this.heartbeat = new Heartbeat(heartbeatTimeoutMs, (p) => this.write({ t: 'ping', p }), (idle) =>
      this.abort(new WsRestError(`No message from the server for ${Math.round(idle / 1000)} s: the connection is dead`)),
    );
  }

  /** Starts reading (messages that arrived since WELCOME first); call once the owner can take events. */
  start(): void {
    this.socket.attach({
      message: (text) => this.receive(text),
      closed: (code, reason, error) => this.socketClosed(code, reason, error),
    });
  }

  /** True while new streams may be opened here. */
  get usable(): boolean {
    return !this.ended && !this.draining;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  write(frame: Frame): void {
    if (!this.ended) this.writer.write(frame);
  }

  /** Opens a stream of ours (odd id), waiting while the server's MaxConcurrentStreams is reached (§6.1). */
  async openStream(owner: StreamOwner, cancelled: () => unknown): Promise<Stream> {
    while (this.openLocal >= this.peer.mcs && this.usable && cancelled() === undefined) {
      await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    }
    const reason = cancelled();
    if (reason !== undefined) throw reason;
    if (this.ended) throw new WsRestError('The connection is closed');
    if (this.draining) throw new StreamRefusedError('The server is going away (GOAWAY)');
    const stream = new Stream(this.nextId, owner, this.peer.isw, this.local.isw);
    this.nextId += 2;
    this.streams.set(stream.id, stream);
    this.openLocal++;
    return stream;
  }

  /** Wakes streams waiting for a slot (a fetch's signal fired, so it can give up). */
  wakeSlotWaiters(): void {
    const waiters = this.slotWaiters;
    this.slotWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Takes send credit for up to `wanted` body bytes at once, without waiting; 0 if there is none. */
  tryTakeCredit(stream: Stream, wanted: number): boolean {
    if (stream.sendCredit.available < wanted || this.sendCredit.available < wanted) return false;
    stream.sendCredit.available -= wanted;
    this.sendCredit.available -= wanted;
    return true;
  }

  /**
   * Sends a body as DATA frames within the windows (§7), ending with END_STREAM. Returns false if the
   * stream stopped first (reset, or CANCEL NoError after a complete response).
   */
  async sendBody(stream: Stream, chunks: AsyncIterable<Uint8Array>, textual: boolean): Promise<boolean> {
    for await (const chunk of chunks) {
      let offset = 0;
      while (offset < chunk.length) {
        const n = await takeCredit(stream.sendCredit, this.sendCredit, Math.min(this.inlineLimit, chunk.length - offset), () => stream.sendStopped || this.ended);
        if (n === 0) return false;
        this.write({ t: 'data', uid: stream.id, body: Body.forSending(chunk.subarray(offset, offset + n), null, textual), e: false });
        offset += n;
      }
    }
    if (stream.sendStopped || this.ended) return false;
    this.write({ t: 'data', uid: stream.id, body: undefined, e: true });
    this.localEnd(stream);
    return true;
  }

  /** We sent END_STREAM on a stream. */
  localEnd(stream: Stream): void {
    stream.localEnded = true;
    this.closeIfDone(stream);
  }

  /**
   * Resets a stream from our side (§6.1): CANCEL unless the exchange already finished both ways. The
   * owner resets itself; it is not called back.
   */
  reset(stream: Stream, code: number): void {
    if (stream.closed) return;
    stream.sendStopped = true;
    this.wakeSenders(stream);
    this.write({ t: 'cancel', uid: stream.id, code });
    this.close(stream);
  }

  /** Forgets a stream whose REQUEST was never sent (its head was too large): nothing goes on the wire. */
  abandon(stream: Stream): void {
    stream.sendStopped = true;
    this.close(stream);
  }

  /** The reader consumed `n` body bytes of `stream`: return credit, batched (§7). */
  consumed(stream: Stream, n: number): void {
    this.release(n);
    if (!stream.closed && !stream.remoteEnded) {
      const increment = stream.receiveWindow.consumed(n);
      if (increment > 0) this.write({ t: 'window', uid: stream.id, n: increment });
    }
  }

  /** Client stop: close the WebSocket normally; every stream fails. */
  closeGracefully(): void {
    this.end(undefined);
    this.writer.flush();
    this.socket.close(1000, 'client stopped');
  }

  /** Network change: check the peer is still there (§13.5). */
  probe(): void {
    this.heartbeat.probe();
  }

  private receive(text: Incoming): void {
    if (this.ended) return;
    this.heartbeat.arrived();
    try {
      if (text === binaryMessage) throw new FrameDecodeError(ErrorCode.ProtocolError, 'A binary message on a wsrest.v1.json connection');
      if (text.length > this.local.mms || (text.length * 3 > this.local.mms && utf8Length(text) > this.local.mms)) {
        throw new FrameDecodeError(ErrorCode.MessageTooLarge, `A message larger than MaxMessageSize (${this.local.mms})`);
      }
      for (const frame of decodeMessage(text)) {
        this.dispatch(frame);
        if (this.ended) return;
      }
    } catch (error) {
      if (error instanceof FrameDecodeError) {
        this.fail(error.code, error.message);
        return;
      }
      throw error;
    }
  }

  private dispatch(frame: Frame): void {
    switch (frame.t) {
      case 'res':
        return this.onResponse(frame);
      case 'req':
        return this.onRequest(frame);
      case 'data':
        return this.onData(frame);
      case 'window':
        if (frame.uid === 0) this.sendCredit.grant(frame.n);
        else this.streams.get(frame.uid)?.sendCredit.grant(frame.n);
        return;
      case 'cancel':
        return this.onCancel(frame);
      case 'goaway':
        return this.onGoAway(frame);
      case 'error':
        this.end(WsRestError.fromCode(frame.code, frame.reason));
        this.socket.close(1000, '');
        return;
      case 'ping':
        this.write({ t: 'pong', p: frame.p });
        return;
      case 'pong':
        return;
      case 'ack':
      case 'event':
      case 'gap':
      case 'epoch':
        if (frame.uid === 0) throw protocolError(`A ${frame.t} frame with uid 0`);
        this.events.pubsub(frame);
        return;
      default:
        throw protocolError(`The server may not send a ${frame.t} frame here`);
    }
  }

  private onResponse(frame: FrameOf<'res'>): void {
    const stream = this.streams.get(frame.uid);
    if (!stream) {
      if (frame.uid % 2 === 0 || frame.uid >= this.nextId) throw protocolError(`RESPONSE for stream ${frame.uid}, which we never opened`);
      this.discard(frame.body);
      return;
    }
    if (stream.headReceived) throw protocolError(`A second RESPONSE on stream ${frame.uid}`);
    stream.headReceived = true;
    stream.owner.head?.(frame);
    this.onBody(stream, frame.body, frame.e);
  }

  private onRequest(frame: FrameOf<'req'>): void {
    if (frame.uid === 0 || frame.uid % 2 === 1) throw protocolError(`REQUEST on stream ${frame.uid}, which is not the server's to open`);
    if (frame.uid <= this.highestPeerId) throw protocolError(`REQUEST reuses stream id ${frame.uid}`);
    this.highestPeerId = frame.uid;
    if (this.openRemote >= this.local.mcs) {
      this.discard(frame.body);
      this.write({ t: 'cancel', uid: frame.uid, code: ErrorCode.RefusedStream });
      return;
    }
    const stream = new Stream(frame.uid, { reset: () => undefined }, this.peer.isw, this.local.isw);
    stream.headReceived = true;
    this.streams.set(stream.id, stream);
    this.openRemote++;
    this.events.request(stream, frame);
    if (!stream.closed) this.onBody(stream, frame.body, frame.e);
    else this.discard(frame.body);
  }

  private onData(frame: FrameOf<'data'>): void {
    if (frame.uid === 0) throw protocolError('DATA on stream 0');
    const stream = this.streams.get(frame.uid);
    if (!stream) {
      if (!this.wasOpened(frame.uid)) throw protocolError(`DATA for stream ${frame.uid}, which was never opened`);
      this.discard(frame.body);
      return;
    }
    if (!stream.headReceived) throw protocolError(`DATA before the RESPONSE on stream ${frame.uid}`);
    this.onBody(stream, frame.body, frame.e);
  }

  private onBody(stream: Stream, body: Body | undefined, end: boolean): void {
    if (stream.remoteEnded) {
      if (body && body.byteLength > 0) throw protocolError(`Body bytes after END_STREAM on stream ${stream.id}`);
      return;
    }
    if (body && body.byteLength > 0) {
      const n = body.byteLength;
      this.receiveWindow.received(n);
      stream.receiveWindow.received(n);
      if (stream.body) stream.body.push(body.bytes());
      else this.consumed(stream, n);
    }
    if (end) {
      stream.remoteEnded = true;
      stream.body?.end();
      this.closeIfDone(stream);
    }
  }

  private onCancel(frame: FrameOf<'cancel'>): void {
    if (frame.uid === 0) throw protocolError('CANCEL on stream 0');
    const stream = this.streams.get(frame.uid);
    if (!stream) {
      if (!this.wasOpened(frame.uid)) throw protocolError(`CANCEL for stream ${frame.uid}, which was never opened`);
      return;
    }
    stream.sendStopped = true;
    this.wakeSenders(stream);
    if (frame.code === ErrorCode.NoError && stream.isLocal && stream.remoteEnded) {
      // §6.1: the response is complete and the server wants no more request body; not an error.
      this.close(stream);
      return;
    }
    this.close(stream);
    const error =
      frame.code === ErrorCode.RefusedStream && stream.isLocal && !stream.headReceived
        ? new StreamRefusedError('The server refused the stream (RefusedStream): it was not processed')
        : WsRestError.fromCode(frame.code, `the peer cancelled stream ${frame.uid}`);
    stream.owner.reset(error, 'peer', frame.code);
  }

  private onGoAway(frame: FrameOf<'goaway'>): void {
    this.draining = true;
    this.wakeSlotWaiters();
    for (const stream of [...this.streams.values()]) {
      if (stream.isLocal && stream.id > frame.last) {
        // §6.2: not processed by the server; the owner may retry it on the next connection.
        this.close(stream);
        stream.sendStopped = true;
        this.wakeSenders(stream);
        const error = new StreamRefusedError(`The server is going away (GOAWAY, last stream ${frame.last})`);
        stream.owner.reset(error, 'peer', ErrorCode.RefusedStream);
      }
    }
    this.events.goaway();
  }

  private wasOpened(id: number): boolean {
    return id % 2 === 1 ? id < this.nextId : id <= this.highestPeerId;
  }

  /** Body bytes for a stream that is gone still count against the connection window; released at once (§7). */
  private discard(body: Body | undefined): void {
    const n = body?.byteLength ?? 0;
    if (n > 0) {
      this.receiveWindow.received(n);
      this.release(n);
    }
  }

  private release(n: number): void {
    if (this.ended) return;
    const increment = this.receiveWindow.consumed(n);
    if (increment > 0) this.write({ t: 'window', uid: 0, n: increment });
  }

  private closeIfDone(stream: Stream): void {
    if (stream.localEnded && stream.remoteEnded) this.close(stream);
  }

  private close(stream: Stream): void {
    if (stream.closed) return;
    stream.closed = true;
    this.streams.delete(stream.id);
    if (stream.isLocal) {
      this.openLocal--;
      const wake = this.slotWaiters.shift();
      wake?.();
    } else {
      this.openRemote--;
    }
  }

  private wakeSenders(stream: Stream): void {
    stream.sendCredit.wake();
    this.sendCredit.wake();
  }

  /** A connection error of ours (§6.3, §13.6): ERROR as the last message, then close 1002 or 1009. */
  private fail(code: number, reason: string): void {
    if (this.ended) return;
    const error = WsRestError.fromCode(code, reason);
    this.writer.write({ t: 'error', code, reason: reason.slice(0, 256) });
    this.writer.flush();
    this.end(error);
    this.socket.close(code === ErrorCode.MessageTooLarge ? 1009 : 1002, reason.slice(0, 100));
  }

  /** Ends without a close handshake (dead peer). */
  private abort(error: Error): void {
    this.end(error);
    this.socket.close(4000, 'dead peer');
  }

  private socketClosed(code: number, reason: string, error: Error | undefined): void {
    if (this.ended) return;
    const clean = code === 1000 || code === 1001;
    this.end(
      clean
        ? new WsRestError(`The server closed the connection (${code}${reason ? ` ${reason}` : ''})`)
        : new WsRestError(`The connection was lost (${code}${reason ? ` ${reason}` : ''})`, undefined, { cause: error }),
    );
  }

  /** Fails every stream and tells the owner once. */
  private end(error: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.heartbeat.stop();
    this.wakeSlotWaiters();
    this.sendCredit.wake();
    const cause = error ?? new WsRestError('The client stopped');
    for (const stream of [...this.streams.values()]) {
      this.close(stream);
      stream.sendStopped = true;
      stream.sendCredit.wake();
      stream.owner.reset(cause, 'connection', undefined);
    }
    this.events.closed(error);
  }
}

function protocolError(message: string): FrameDecodeError {
  return new FrameDecodeError(ErrorCode.ProtocolError, message);
}
