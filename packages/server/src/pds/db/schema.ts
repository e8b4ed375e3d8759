/**
 * Row shapes of the PDS tables, as better-sqlite3 returns them. One interface per table, next to the
 * migration that creates it; append yours when you add a migration.
 */

/** 001-accounts: one row per hosted account. */
export interface AccountRow {
  did: string
  /** Lowercase; null when the account has no handle. */
  handle: string | null
  /** Lowercase. */
  email: string | null
  /** `scrypt$…` (see auth/password.ts); null when password login is disabled. */
  password_hash: string | null
  /** Hex private key of the account's repo signing key (k256). */
  signing_key: string
  created_at: string
  email_confirmed_at: string | null
  deactivated_at: string | null
  takedown_ref: string | null
}

/** 001-accounts: refresh tokens by JWT id (`jti`). */
export interface RefreshTokenRow {
  id: string
  did: string
  /** ISO time after which the token is refused (shortened to the grace window once used). */
  expires_at: string
  /** The id of the token issued when this one was used; reuse inside the grace window re-issues it. */
  next_id: string | null
  app_password_name: string | null
}

/** 004-sequencer: the firehose event log. */
export interface RepoEventRow {
  seq: number
  did: string
  /** 'commit' | 'sync' | 'identity' | 'account' */
  type: string
  /** The complete event-stream frame (header + body, seq and time included). */
  payload: Uint8Array
  created_at: string
}

/** 002-repo: the head commit of each account's repository. */
export interface RepoRootRow {
  did: string
  /** Binary CID of the commit block. */
  cid: Uint8Array
  rev: string
  indexed_at: string
}

/** 002-repo: blocks reachable from an account's head commit, with their reference counts. */
export interface RepoBlockRow {
  did: string
  cid: Uint8Array
  bytes: Uint8Array
  refs: number
}

/** 002-repo: the record index (`at://<did>/<collection>/<rkey>`). */
export interface RecordRow {
  did: string
  collection: string
  rkey: string
  /** Binary CID of the record block. */
  cid: Uint8Array
  repo_rev: string
  indexed_at: string
}

/** 002-repo: links from likes/reposts (path 'subject.uri') and follows/blocks (path 'subject'). */
export interface BacklinkRow {
  did: string
  collection: string
  rkey: string
  path: string
  link_to: string
}

/** 003-blobs: an uploaded blob; temp = 1 until a record references it. */
export interface BlobRow {
  did: string
  cid: string
  mime_type: string
  size: number
  temp: number
  created_at: string
}

/** 003-blobs: a record's reference to a blob. */
export interface RecordBlobRow {
  did: string
  blob_cid: string
  collection: string
  rkey: string
}
