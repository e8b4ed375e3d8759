/** com.atproto.admin.getAccountInfos: admin views of several accounts (unknown DIDs are left out). */
import type { XrpcRouter } from '../../http/index.ts'
import { getAccountByDid } from '../accounts/store.ts'
import { accountView } from '../admin/account-view.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query(
    'com.atproto.admin.getAccountInfos',
    ({ params }) => {
      const dids = [...new Set(params.dids as string[])].slice(0, 1000)
      const infos = dids.flatMap((did) => {
        const account = getAccountByDid(ctx.db, did)
        return account ? [accountView(ctx.db, account)] : []
      })
      return { encoding: 'application/json', body: { infos } }
    },
    { auth: ctx.auth.admin() },
  )
}
