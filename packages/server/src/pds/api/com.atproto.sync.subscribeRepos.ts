/**
 * com.atproto.sync.subscribeRepos: the firehose. Frames come pre-encoded from the sequencer (stored once,
 * sent as they are); cursor rules and the switch from replay to live are in sequencer/sequencer.ts.
 */
import { XRPCError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.subscription('com.atproto.sync.subscribeRepos', ({ params, signal }) => {
    const sequencer = ctx.sequencer
    if (!sequencer) throw new XRPCError(501, 'MethodNotImplemented', 'The firehose is not available')
    return sequencer.frames(params.cursor as number | undefined, signal)
  })
}
