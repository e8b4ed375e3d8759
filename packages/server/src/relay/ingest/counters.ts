/**
 * What the relay did with every upstream frame: accepted per event type, dropped per reason. Reasons in
 * HOSTILE count against the sending host's standing (limits.ts); the others are ordinary (an account that
 * is deactivated, a #sync the relay already had, a commit waiting for a resync).
 */

export type DropReason =
  | 'malformed'
  | 'out-of-order'
  | 'bad-signature'
  | 'bad-commit'
  | 'bad-proof'
  | 'bad-rev'
  | 'wrong-host'
  | 'stale-rev'
  | 'future-rev'
  | 'too-large'
  | 'too-big'
  | 'identity'
  | 'inactive'
  | 'takendown'
  | 'account-limit'
  | 'account-rate-limit'
  | 'desynchronized'
  | 'stale-sync'
  | 'host-banned'
  | 'unknown-type'
  | 'internal'

export const HOSTILE: ReadonlySet<DropReason> = new Set<DropReason>([
  'malformed',
  'out-of-order',
  'bad-signature',
  'bad-commit',
  'bad-proof',
  'bad-rev',
  'wrong-host',
  'stale-rev',
  'future-rev',
  'too-large',
  'too-big',
])

/** Maps a verification failure code (verify-job.ts / RepoVerificationError) to a drop reason. */
export function reasonForCode(code: string): DropReason {
  switch (code) {
    case 'bad-signature':
    case 'wrong-did':
      return 'bad-signature'
    case 'bad-rev':
      return 'bad-rev'
    case 'too-large':
      return 'too-large'
    case 'too-big':
      return 'too-big'
    case 'inversion-failed':
    case 'missing-block':
      return 'bad-proof'
    case 'bad-commit':
    case 'bad-car':
    case 'bad-ops':
      return 'bad-commit'
    case 'internal':
      return 'internal'
    default:
      return 'malformed'
  }
}

export class Counters {
  readonly accepted: Record<string, number> = {}
  readonly dropped: Partial<Record<DropReason, number>> = {}
  /** Commits passed in lenient mode despite a failed sync 1.1 proof. */
  lenientPasses = 0
  /** Commits whose prevData did not match the last known data. */
  chainBreaks = 0
  /** Verified commits held for a desynchronized account (released after its resync if they chain on). */
  held = 0
  resyncs = { requested: 0, succeeded: 0, failed: 0 }

  accept(kind: string): void {
    this.accepted[kind] = (this.accepted[kind] ?? 0) + 1
  }

  drop(reason: DropReason): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1
  }

  get totalAccepted(): number {
    return Object.values(this.accepted).reduce((a, b) => a + b, 0)
  }

  get totalDropped(): number {
    return Object.values(this.dropped).reduce((a, b) => a + (b ?? 0), 0)
  }

  snapshot() {
    return {
      accepted: { ...this.accepted },
      dropped: { ...this.dropped },
      lenientPasses: this.lenientPasses,
      chainBreaks: this.chainBreaks,
      held: this.held,
      resyncs: { ...this.resyncs },
    }
  }
}
