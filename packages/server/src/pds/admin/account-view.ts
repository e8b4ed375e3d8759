/** com.atproto.admin.defs#accountView of an account row (getAccountInfo(s)). */
import { INVALID_HANDLE } from '@stratus/core/syntax'
import { type InviteCodeView, accountInviteCodes, invitedBy } from '../accounts/invites.ts'
import type { AccountRow } from '../accounts/store.ts'
import type { PdsDatabase } from '../db/index.ts'

export interface AccountView {
  did: string
  handle: string
  email?: string
  indexedAt: string
  invitedBy?: InviteCodeView
  invites?: InviteCodeView[]
  invitesDisabled?: boolean
  emailConfirmedAt?: string
  deactivatedAt?: string
}

export function accountView(db: PdsDatabase, a: AccountRow): AccountView {
  const view: AccountView = {
    did: a.did,
    handle: a.handle ?? INVALID_HANDLE,
    indexedAt: a.created_at,
    invites: accountInviteCodes(db, a.did),
    invitesDisabled: a.invites_disabled === 1,
  }
  if (a.email) view.email = a.email
  const by = invitedBy(db, a.did)
  if (by) view.invitedBy = by
  if (a.email_confirmed_at) view.emailConfirmedAt = a.email_confirmed_at
  if (a.deactivated_at) view.deactivatedAt = a.deactivated_at
  return view
}
