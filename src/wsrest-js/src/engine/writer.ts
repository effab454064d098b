import { encodeFrame, encodeMessage } from '../protocol/encode.js';
import type { Frame } from '../protocol/frames.js';
import { utf8Length } from '../protocol/utf8.js';
import type { Socket } from './socket.js';

/**
 * The single writer of a connection. Frames queued in the same turn of the event loop go out together
 * as one JSON array (§13.2), as many per message as fit in the peer's MaxMessageSize.
 */
export class FrameWriter {
  private queue: { text: string; size: number }[] = [];
  private scheduled = false;

  constructor(private readonly socket: Socket, private readonly maxMessageSize: number) {}

  /** Queues a frame; throws RangeError when the frame alone is larger than the peer accepts. */
  write(frame: Frame): void {
    const text = encodeFrame(frame);
    const size = utf8Length(text);
    if (size > this.maxMessageSize) {
      throw new RangeError(`A ${frame.t} frame of ${size} bytes is larger than the server's MaxMessageSize (${this.maxMessageSize})`);
    }
    this.queue.push({ text, size });
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Sends everything queued now (before a close, so the ERROR frame is the last message). */
  flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    let batch: string[] = [];
    let batchSize = 2; // the array's brackets
    for (const { text, size } of queue) {
      if (batch.length > 0 && batchSize + size + 1 > this.maxMessageSize) {
        this.socket.send(encodeMessage(batch));
        batch = [];
        batchSize = 2;
      }
      batch.push(text);
      batchSize += size + 1;
    }
    if (batch.length > 0) this.socket.send(encodeMessage(batch));
  }
}
