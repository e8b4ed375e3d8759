/** The session settings (token keys and lifetimes) of a PDS context. */
import type { PdsContext } from '../context.ts'
import type { SessionSettings } from './sessions.ts'

export function sessionSettings(ctx: Pick<PdsContext, 'tokenKeys' | 'cfg'>): SessionSettings {
  return {
    keys: ctx.tokenKeys,
    accessTokenTtlMs: ctx.cfg.accessTokenTtlMs,
    refreshTokenTtlMs: ctx.cfg.refreshTokenTtlMs,
    refreshGraceMs: ctx.cfg.refreshGraceMs,
  }
}
