/** The session view shared by createSession, refreshSession and getSession. */
import { INVALID_HANDLE } from '@stratus/core/syntax'
import { type AccountRow, accountStatus } from './store.ts'

export interface SessionView {
  did: string
  handle: string
  email?: string
  emailConfirmed: boolean
  active: boolean
  status?: string
}

export function sessionView(a: AccountRow): SessionView {
  const { active, status } = accountStatus(a)
  const view: SessionView = {
    did: a.did,
    handle: a.handle ?? INVALID_HANDLE,
    emailConfirmed: a.email_confirmed_at !== null,
    active,
  }
  if (a.email) view.email = a.email
  if (status) view.status = status
  return view
}
