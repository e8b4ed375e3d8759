/**
 * The directory's timestamp source: strictly increasing milliseconds (so `createdAt` orders every
 * op of this process and the `/export` cursor never splits two ops with one timestamp), starting
 * after the newest stored op. The wall clock is injectable for recovery-window tests.
 */
export class MonotonicClock {
  private last: number

  constructor(
    private readonly now: () => number = Date.now,
    latest?: string | null,
  ) {
    this.last = latest ? Date.parse(latest) : Number.NEGATIVE_INFINITY
  }

  /** Next timestamp: the wall clock, or 1 ms after the previous one if the clock has not advanced. */
  next(): number {
    const t = Math.max(this.now(), this.last + 1)
    this.last = t
    return t
  }
}
