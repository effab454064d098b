/** A stretch of lost events, both ends included (§10.5). */
export interface LostRange {
  from: number;
  to: number;
}

/**
 * The sequence bookkeeping of one subscription (§10.6): which events to hand on, which losses to
 * report, and where to resume. `last` is the highest sequence delivered or already reported lost, so
 * a replayed event is skipped and each lost sequence is reported once.
 */
export class SequenceTracker {
  private last: number | undefined;
  private current: number | undefined;

  constructor(private readonly initialFrom: number) {
    if (initialFrom > 0) this.last = initialFrom - 1;
  }

  get lastSequence(): number | undefined {
    return this.last;
  }

  /** The epoch `lastSequence` belongs to; undefined while the server announced none. */
  get epoch(): number | undefined {
    return this.current;
  }

  /**
   * An epoch notice: the first is adopted; a different one means the numbering restarted, so what was
   * seen no longer counts and the new epoch is expected from 1 (the server replays it, or reports a gap).
   * Returns whether the numbering restarted.
   */
  epochNotice(epoch: number): boolean {
    const previous = this.current;
    this.current = epoch;
    if (previous === undefined || previous === epoch) return false;
    if (this.last !== undefined) this.last = 0;
    return true;
  }

  /** An event arrived: whether to deliver it, and the hole before it if there is one. */
  event(sequence: number): { deliver: boolean; lost?: LostRange } {
    const last = this.last;
    if (last !== undefined && sequence <= last) return { deliver: false };
    this.last = sequence;
    if (last !== undefined && sequence > last + 1) return { deliver: true, lost: { from: last + 1, to: sequence - 1 } };
    return { deliver: true };
  }

  /** A gap notice: the part of it not delivered or reported yet, if any (it may overlap both, §10.6). */
  gap(from: number, to: number): LostRange | undefined {
    const start = this.last === undefined ? from : Math.max(from, this.last + 1);
    if (start > to) return undefined;
    this.last = to;
    return { from: start, to };
  }

  /**
   * ACK(Subscribed) with the topic's last sequence. Nothing seen yet: events after it are live. Below
   * what we have seen: the server lost its numbering (a restart of an in-memory bus), so we follow its
   * numbers instead of skipping every event until they pass ours (§10.6's reference-client defect).
   */
  subscribed(sequence: number): void {
    // With epochs the server says when its numbering restarts (epochNotice): no guessing from the ACK.
    if (this.last === undefined || (this.current === undefined && sequence < this.last)) this.last = sequence;
  }

  /** The `from` of the SUBSCRIBE that resumes this subscription on a new connection. */
  resumeFrom(): number {
    return this.last === undefined ? this.initialFrom : this.last + 1;
  }
}
