/**
 * Parsed records by (URI, CID), one per Hydrator (so per database and thread), bounded. A record's content never changes for a given CID,
 * so a hit is exact: callers still read everything mutable (counts, viewer state, the current CID) fresh
 * and only skip fetching and parsing the record JSON. Entries are dropped oldest-inserted first.
 * Cached objects are shared between requests: views must not modify records.
 */
import type { JsonObject } from './state.ts'

export class RecordCache {
  readonly #max: number
  readonly #entries = new Map<string, { cid: string; record: JsonObject }>()

  constructor(max = 50_000) {
    this.#max = max
  }

  get(uri: string, cid: string): JsonObject | undefined {
    const e = this.#entries.get(uri)
    return e && e.cid === cid ? e.record : undefined
  }

  set(uri: string, cid: string, record: JsonObject): void {
    this.#entries.delete(uri)
    this.#entries.set(uri, { cid, record })
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
  }
}
