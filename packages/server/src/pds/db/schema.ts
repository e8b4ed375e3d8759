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
  /** 005-lifecycle: operator status 'suspended' | 'desynchronized' | 'throttled' (null = none). */
  status: string | null
  /** 005-lifecycle: when the user asked a deactivated account to be deleted (informational). */
  delete_after: string | null
  /** 005-lifecycle: 1 when the account may not see or create invite codes. */
  invites_disabled: number
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

/** 005-lifecycle: an app password (scrypt hash salted with the DID, see accounts/app-passwords.ts). */
export interface AppPasswordRow {
  did: string
  name: string
  password_hash: string
  privileged: number
  created_at: string
}

/** 005-lifecycle: a pending email token (sha-256 hex of the upper-case token). */
export interface EmailTokenRow {
  did: string
  purpose: string
  token_hash: string
  requested_at: string
}

/** 005-lifecycle: an invite code. */
export interface InviteCodeRow {
  code: string
  available_uses: number
  disabled: number
  /** The account the code belongs to, or 'admin'. */
  for_account: string
  created_by: string
  created_at: string
}

/** 005-lifecycle: one use of an invite code. */
export interface InviteCodeUseRow {
  code: string
  used_by: string
  used_at: string
}

/** 005-lifecycle: one stored app.bsky preference. */
export interface AccountPrefRow {
  did: string
  position: number
  name: string
  value_json: string
}

/** 005-lifecycle: a taken-down record (`at://` URI). */
export interface RecordTakedownRow {
  uri: string
  did: string
  ref: string
  created_at: string
}

/** 005-lifecycle: a taken-down blob. */
export interface BlobTakedownRow {
  did: string
  cid: string
  ref: string
  created_at: string
}

/** 005-lifecycle: mail waiting for delivery. */
export interface MailOutboxRow {
  id: number
  recipient: string
  subject: string
  body_text: string
  kind: string
  created_at: string
  attempts: number
  next_attempt_at: string
  last_error: string | null
}
