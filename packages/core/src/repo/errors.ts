/**
 * Error types of the repo module. Every failure that comes from data we were handed (a CAR, a firehose
 * event, a block store) is a RepoVerificationError or a MissingBlockError with a message that names the
 * problem; programming-level misuse (adding a key twice, deleting a missing key) has its own classes so a
 * PDS can map them to the right XRPC error.
 */
import type { CID } from '../data/index.ts'

export class RepoError extends Error {
  override name = 'RepoError'
}

/** A string that is not a valid MST key (`collection/rkey`, allowed characters, at most 1024 bytes). */
export class InvalidMstKeyError extends RepoError {
  override name = 'InvalidMstKeyError'
  constructor(readonly key: string) {
    super(`not a valid MST key: ${JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key)}`)
  }
}

/** A block the operation needs is not in the block store. */
export class MissingBlockError extends RepoError {
  override name = 'MissingBlockError'
  constructor(
    readonly cid: CID,
    what = 'block',
  ) {
    super(`missing ${what}: ${cid.toString()}`)
  }
}

/** add/create on a key that already has a value. */
export class KeyExistsError extends RepoError {
  override name = 'KeyExistsError'
  constructor(readonly key: string) {
    super(`there is already a value at key: ${key}`)
  }
}

/** update/delete on a key that has no value. */
export class KeyNotFoundError extends RepoError {
  override name = 'KeyNotFoundError'
  constructor(readonly key: string) {
    super(`no value at key: ${key}`)
  }
}

/** Why a repository, proof or commit event was rejected (stable names a relay can act on). */
export type VerificationCode =
  | 'bad-car'
  | 'bad-commit'
  | 'bad-signature'
  | 'wrong-did'
  | 'bad-rev'
  | 'bad-structure'
  | 'missing-block'
  | 'bad-record'
  | 'too-large'
  | 'bad-ops'
  | 'inversion-failed'

/** Data handed to us (CAR, proof, firehose event) failed verification. */
export class RepoVerificationError extends RepoError {
  override name = 'RepoVerificationError'
  constructor(
    readonly code: VerificationCode,
    message: string,
  ) {
    super(message)
  }
}
