/**
 * com.atproto.server.createSession: password login by handle, email or DID. Rate-limited per client IP
 * and per identifier (before the password is checked, so guessing costs the guesser). Taken-down accounts
 * are refused unless the client asks for `allowTakendown` (then it gets a token with the takendown scope).
 * An app password opens a session with the app-password scope (accounts/app-passwords.ts).
 */
import { AuthRequiredError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { passwordLogin } from '../accounts/app-passwords.ts'
import { issueTokens, storeRefreshToken } from '../accounts/sessions.ts'
import { sessionSettings } from '../accounts/settings.ts'
import { sessionView } from '../accounts/view.ts'
import { AuthScope } from '../auth/scopes.ts'
import type { PdsContext } from '../context.ts'
import { enforce, ipOf } from '../limits.ts'

interface Input {
  identifier: string
  password: string
  allowTakendown?: boolean
}

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure('com.atproto.server.createSession', async ({ input, req }) => {
    const body = input?.body as Input
    const id = body.identifier.trim().toLowerCase()
    enforce(ctx.limits.loginPerIp, ipOf(req))
    enforce(ctx.limits.loginPerAccount, id)
    enforce(ctx.limits.loginPerAccountDaily, id)
    const { account, appPassword } = await passwordLogin(ctx.db, body.identifier, body.password)
    const takendown = account.takedown_ref !== null
    if (takendown && !body.allowTakendown) throw new AuthRequiredError('Account has been taken down', 'AccountTakedown')
    const scope = takendown
      ? AuthScope.Takendown
      : appPassword
        ? appPassword.privileged
          ? AuthScope.AppPassPrivileged
          : AuthScope.AppPass
        : AuthScope.Access
    const { tokens, row } = await issueTokens(sessionSettings(ctx), account.did, {
      scope,
      appPasswordName: appPassword?.name ?? null,
    })
    storeRefreshToken(ctx.db, row)
    return { encoding: 'application/json', body: { ...tokens, ...sessionView(account) } }
  })
}
