/**
 * In-memory SyncStore: for tests, demos and applications that rebuild their state on every start. It also
 * keeps the record paths and CIDs it was told about (`trackRecords`), so resyncs produce exact deletes.
 * Nothing survives the process; implement SyncStore over your own database to resume after restarts.
 */
import type { RecordEvent, RepoState, SyncStore } from './types.ts'

export class MemorySyncStore implements SyncStore {
  cursor: number | undefined
  readonly repos = new Map<string, RepoState>()
  readonly records = new Map<string, Map<string, string>>()

  async getCursor(): Promise<number | undefined> {
    return this.cursor
  }

  async setCursor(cursor: number): Promise<void> {
    this.cursor = cursor
  }

  async getRepo(did: string): Promise<RepoState | undefined> {
    const s = this.repos.get(did)
    return s && { ...s }
  }

  async setRepo(did: string, state: RepoState): Promise<void> {
    this.repos.set(did, { ...state })
  }

  async listRecords(did: string): Promise<Map<string, string>> {
    return new Map(this.records.get(did))
  }

  /** Records the effect of delivered events (call it from your handler, or let `createSync` do it). */
  trackRecords(events: readonly RecordEvent[]): void {
    for (const e of events) {
      let m = this.records.get(e.did)
      if (!m) {
        m = new Map()
        this.records.set(e.did, m)
      }
      const path = `${e.collection}/${e.rkey}`
      if (e.type === 'delete') m.delete(path)
      else if (e.cid) m.set(path, e.cid.toString())
    }
  }
}
