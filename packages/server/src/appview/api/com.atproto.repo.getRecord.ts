/**
 * com.atproto.repo.getRecord for records this AppView indexed (a PDS asks it for feed generator records
 * before proxying getFeed). Records it does not hold: RecordNotFound. A `cid` that is not the indexed
 * version: RecordNotFound as well.
 */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { parseJson } from '../hydration/actors.ts'
import { json, resolveActor } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query('com.atproto.repo.getRecord', async ({ params }) => {
    const did = await resolveActor(app, params.repo as string)
    const uri = `at://${did}/${params.collection}/${params.rkey}`
    const row = did
      ? await app.db.selectFrom('record').select(['cid', 'json']).where('uri', '=', uri).executeTakeFirst()
      : undefined
    if (!row || (params.cid && params.cid !== row.cid))
      throw new InvalidRequestError(`Could not locate record: ${uri}`, 'RecordNotFound')
    return json({ uri, cid: row.cid, value: parseJson(row.json) })
  })
}
