/** Per-key async mutual exclusion: tasks for one key run one at a time, in arrival order. */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>()

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve()
    let release!: () => void
    const mine = new Promise<void>((r) => {
      release = r
    })
    const tail = prev.then(() => mine)
    this.tails.set(key, tail)
    await prev
    try {
      return await task()
    } finally {
      release()
      // Drop the entry once nobody queued behind us, so the map does not grow with every DID seen.
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }
}
