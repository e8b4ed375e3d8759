import * as dagCbor from '@ipld/dag-cbor'
import { CID as MfCID } from 'multiformats/cid'
import { encodeCbor, jsonToLex } from '@stratus/core/data'
const v = { image: { $type: 'blob', ref: MfCID.parse('bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy'), mimeType: 'image/png', size: 3 } }
const a = Buffer.from(encodeCbor(jsonToLex({ image: { $type: 'blob', ref: { $link: 'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy' }, mimeType: 'image/png', size: 3 } })))
const b = Buffer.from(dagCbor.encode(v))
console.log(a.equals(b)); console.log(a.toString('hex')); console.log(b.toString('hex'))
