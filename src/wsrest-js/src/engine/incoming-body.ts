/**
 * A body arriving on a stream, as a ReadableStream whose credit goes back as the reader consumes
 * (§7): chunks are handed to the stream only when the reader asks (highWaterMark 0), and each hand-over
 * reports the bytes consumed, which may send WINDOW frames.
 */
export class IncomingBody {
  readonly readable: ReadableStream<Uint8Array>;
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private ended = false;
  private failed = false;
  private closedByUs = false;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private wake: (() => void) | undefined;

  /**
   * @param consumed bytes handed to the reader (or dropped): return their credit.
   * @param cancelled the reader cancelled the body: reset the stream if it is still open.
   * @param finished the body was read to its end, failed or was cancelled (called once).
   */
  constructor(
    private readonly consumed: (n: number) => void,
    private readonly cancelled: (reason: unknown) => void,
    private readonly finished: () => void = () => undefined,
  ) {
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => this.pull(),
        cancel: (reason) => {
          this.failed = true;
          this.release();
          this.cancelled(reason);
          this.finished();
        },
      },
      { highWaterMark: 0 },
    );
  }

  push(bytes: Uint8Array): void {
    if (this.failed) {
      this.consumed(bytes.length);
      return;
    }
    this.chunks.push(bytes);
    this.buffered += bytes.length;
    this.signal();
  }

  end(): void {
    this.ended = true;
    this.signal();
  }

  /** Fails the reader; bytes it had not read yet are released. */
  fail(error: unknown): void {
    if (this.failed || this.closedByUs) return;
    this.failed = true;
    this.release();
    this.finished();
    try {
      this.controller.error(error);
    } catch (reason) {
      // Already closed or errored: the reader has seen its end.
      void reason;
    }
    this.signal();
  }


  private pull(): Promise<void> | void {
    const chunk = this.chunks.shift();
    if (chunk) {
      this.buffered -= chunk.length;
      this.controller.enqueue(chunk);
      this.consumed(chunk.length);
      return;
    }
    if (this.failed) return;
    if (this.ended) {
      this.closedByUs = true;
      this.controller.close();
      this.finished();
      return;
    }
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    }).then(() => this.pull());
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private release(): void {
    const n = this.buffered;
    this.chunks = [];
    this.buffered = 0;
    if (n > 0) this.consumed(n);
  }
}
