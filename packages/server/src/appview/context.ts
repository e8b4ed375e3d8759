/** Everything an API handler needs, built once per AppView (see index.ts). */
import type { SyncIdentity } from '@stratus/core/sync'
import type { Lexicons } from '@stratus/core/lexicon'
import type { Logger } from 'pino'
import type { AuthVerifiers } from './auth.ts'
import type { AppViewConfig } from './config.ts'
import type { AppViewDb, Db } from './db/index.ts'
import type { Hydrator, ViewState } from './hydration/hydrator.ts'
import type { BlobUrls, ViewCtx } from './views/index.ts'

export interface AppViewContext {
  cfg: AppViewConfig
  /** The AppView's DID (service-auth audience). */
  did: string
  publicUrl: string
  appDb: AppViewDb
  db: Db
  hydrator: Hydrator
  urls: BlobUrls
  identity: SyncIdentity
  auth: AuthVerifiers
  lexicons: Lexicons
  fetch: typeof fetch
  log: Logger
}

export function viewCtx(app: AppViewContext, state: ViewState): ViewCtx {
  return { state, urls: app.urls }
}
