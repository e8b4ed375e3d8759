/**
 * com.atproto.server.describeServer: what a client needs before signing up. Advertises only what this
 * PDS actually does: its DID, handle domains, whether an invite code is needed, the
 * blob upload limit, and the operator's links and contact address when configured.
 */
import type { XrpcRouter } from '../../http/index.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query('com.atproto.server.describeServer', () => {
    const { cfg } = ctx
    const body: Record<string, unknown> = {
      did: cfg.serviceDid,
      availableUserDomains: cfg.handleDomains,
      inviteCodeRequired: cfg.inviteRequired,
      blobUploadLimit: cfg.blobUploadLimit,
    }
    const links: Record<string, string> = {}
    if (cfg.privacyPolicyUrl) links.privacyPolicy = cfg.privacyPolicyUrl
    if (cfg.termsOfServiceUrl) links.termsOfService = cfg.termsOfServiceUrl
    if (Object.keys(links).length > 0) body.links = links
    if (cfg.contactEmail) body.contact = { email: cfg.contactEmail }
    return { encoding: 'application/json', body }
  })
}
