/** A bounded map that evicts the least recently used entry (Map keeps insertion order; a hit re-inserts). */
export class LruMap<K, V> {
  readonly #map = new Map<K, V>()
  readonly max: number

  constructor(max: number) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError('LruMap size must be a positive integer')
    this.max = max
  }

  get size(): number {
    return this.#map.size
  }

  get(key: K): V | undefined {
    const v = this.#map.get(key)
    if (v !== undefined) {
      this.#map.delete(key)
      this.#map.set(key, v)
    }
    return v
  }

  set(key: K, value: V): void {
    this.#map.delete(key)
    this.#map.set(key, value)
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value as K)
  }

  clear(): void {
    this.#map.clear()
  }
}
