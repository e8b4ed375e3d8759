/**
 * A bounded FIFO between the stream reader and the processor: `push` waits while the queue is full (so a
 * slow handler slows the reader, which pauses the socket), `take` waits for at least one item and returns
 * everything queued (up to a limit) so the processor can batch.
 */
export class BoundedQueue<T> {
  readonly #items: T[] = []
  #waitingTaker: (() => void) | undefined
  #waitingPushers: (() => void)[] = []
  #closed = false

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#items.length
  }

  get closed(): boolean {
    return this.#closed
  }

  async push(item: T): Promise<void> {
    while (this.#items.length >= this.capacity && !this.#closed) {
      await new Promise<void>((resolve) => this.#waitingPushers.push(resolve))
    }
    if (this.#closed) return
    this.#items.push(item)
    this.#wakeTaker()
  }

  /** Items in order (at most `max`); undefined once closed and empty. */
  async take(max: number): Promise<T[] | undefined> {
    while (this.#items.length === 0) {
      if (this.#closed) return undefined
      await new Promise<void>((resolve) => {
        this.#waitingTaker = resolve
      })
    }
    const out = this.#items.splice(0, max)
    const pushers = this.#waitingPushers.splice(0)
    for (const p of pushers) p()
    return out
  }

  /** No more pushes; takers drain what is left (or everything is dropped with `discard`). */
  close(discard = false): void {
    this.#closed = true
    if (discard) this.#items.length = 0
    this.#wakeTaker()
    for (const p of this.#waitingPushers.splice(0)) p()
  }

  #wakeTaker(): void {
    const t = this.#waitingTaker
    this.#waitingTaker = undefined
    t?.()
  }
}
