/**
 * `com.atproto.sync.subscribeRepos` message bodies as typed values. Checks the fields the kit relies on
 * (types of seq, DIDs, revs, CIDs, ops) and throws MessageError for a malformed body; unknown message types
 * come back as `{ type: 'unknown' }` so newer servers do not break older consumers. Signatures, CAR
 * contents and proofs are checked later (repo-check.ts), not here.
 */
import { CID, type LexValue } from '../data/index.ts'
import type { RepoOp } from '../repo/index.ts'
import { isValidDid } from '../syntax/index.ts'

export class MessageError extends Error {
  override name = 'MessageError'
}

export interface CommitMessage {
  type: 'commit'
  seq: number
  repo: string
  commit: CID
  rev: string
  since: string | null
  blocks: Uint8Array
  ops: RepoOp[]
  prevData: CID | null
  tooBig: boolean
  time?: string
}

export interface SyncMessage {
  type: 'sync'
  seq: number
  did: string
  rev: string
  blocks: Uint8Array
  time?: string
}

export interface IdentityMessage {
  type: 'identity'
  seq: number
  did: string
  handle?: string
  time?: string
}

export interface AccountMessage {
  type: 'account'
  seq: number
  did: string
  active: boolean
  status?: string
  time?: string
}

export interface InfoMessage {
  type: 'info'
  name: string
  message?: string
}

export type RepoMessage =
  | CommitMessage
  | SyncMessage
  | IdentityMessage
  | AccountMessage
  | InfoMessage
  | { type: 'unknown'; t: string; seq?: number }

type Body = Record<string, LexValue>

const fail = (t: string, why: string): never => {
  throw new MessageError(`malformed ${t} message: ${why}`)
}

function seqOf(t: string, b: Body): number {
  const seq = b.seq
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) fail(t, 'bad seq')
  return seq as number
}

function didOf(t: string, v: LexValue): string {
  if (typeof v !== 'string' || !isValidDid(v)) fail(t, 'bad DID')
  return v as string
}

function str(v: LexValue): string | undefined {
  return typeof v === 'string' ? v : undefined
}

/** Parses one message frame (`t` like '#commit') into a typed message. */
export function parseRepoMessage(t: string, body: Body): RepoMessage {
  switch (t) {
    case '#commit':
      return parseCommit(body)
    case '#sync': {
      if (typeof body.rev !== 'string') fail(t, 'bad rev')
      if (!(body.blocks instanceof Uint8Array)) fail(t, 'blocks is not bytes')
      const did = didOf(t, body.did)
      return {
        type: 'sync',
        seq: seqOf(t, body),
        did,
        rev: body.rev as string,
        blocks: body.blocks as Uint8Array,
        time: str(body.time),
      }
    }
    case '#identity':
      return {
        type: 'identity',
        seq: seqOf(t, body),
        did: didOf(t, body.did),
        handle: str(body.handle),
        time: str(body.time),
      }
    case '#account':
      if (typeof body.active !== 'boolean') fail(t, 'active is not a boolean')
      return {
        type: 'account',
        seq: seqOf(t, body),
        did: didOf(t, body.did),
        active: body.active as boolean,
        status: str(body.status),
        time: str(body.time),
      }
    case '#info':
      return { type: 'info', name: str(body.name) ?? '', message: str(body.message) }
    default: {
      const seq = body.seq
      return { type: 'unknown', t, seq: typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : undefined }
    }
  }
}

function parseCommit(b: Body): CommitMessage {
  const t = '#commit'
  const seq = seqOf(t, b)
  const repo = didOf(t, b.repo)
  if (!(b.commit instanceof CID)) fail(t, 'commit is not a CID')
  if (typeof b.rev !== 'string') fail(t, 'bad rev')
  if (b.since !== null && b.since !== undefined && typeof b.since !== 'string') fail(t, 'bad since')
  if (!(b.blocks instanceof Uint8Array)) fail(t, 'blocks is not bytes')
  if (!Array.isArray(b.ops)) fail(t, 'ops is not a list')
  const ops: RepoOp[] = (b.ops as LexValue[]).map((raw) => {
    if (
      raw === null ||
      typeof raw !== 'object' ||
      Array.isArray(raw) ||
      raw instanceof Uint8Array ||
      raw instanceof CID
    ) {
      return fail(t, 'op is not an object')
    }
    const o = raw as Body
    if (o.action !== 'create' && o.action !== 'update' && o.action !== 'delete') fail(t, 'bad op action')
    if (typeof o.path !== 'string') fail(t, 'bad op path')
    const cid = o.cid instanceof CID ? o.cid : null
    const op: RepoOp = { action: o.action as RepoOp['action'], path: o.path as string, cid }
    if (o.prev instanceof CID) op.prev = o.prev
    return op
  })
  const prevData = b.prevData instanceof CID ? b.prevData : null
  return {
    type: 'commit',
    seq,
    repo,
    commit: b.commit as CID,
    rev: b.rev as string,
    since: (b.since as string | null | undefined) ?? null,
    blocks: b.blocks as Uint8Array,
    ops,
    prevData,
    tooBig: b.tooBig === true,
    time: str(b.time),
  }
}
