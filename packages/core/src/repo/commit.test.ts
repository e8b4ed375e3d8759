import { describe, expect, it } from 'vitest'
import { Secp256k1Keypair } from '../crypto/index.ts'
import { cidForCbor, encodeCbor } from '../data/index.ts'
import { nextTid } from '../syntax/index.ts'
import { encodeCommit, signCommit, verifyCommit } from './commit.ts'

describe('verifyCommit signatures', () => {
  const data = cidForCbor(encodeCbor({ e: [], l: null }))
  // DIDs whose length heads take 0, 1 and 2 extra bytes (the signed bytes are cut out around them).
  const dids = ['did:web:a.co', `did:plc:${'a'.repeat(24)}`, `did:web:${'x'.repeat(300)}.com`]

  for (const did of dids) {
    it(`checks the signature of a ${did.length}-character DID's commit`, () => {
      const key = Secp256k1Keypair.create()
      const commit = signCommit({ did, version: 3, data, rev: nextTid(), prev: null }, key)
      const { bytes } = encodeCommit(commit)
      expect(verifyCommit(bytes, { did, signingKey: key.did() }).rev).toBe(commit.rev)

      const other = Secp256k1Keypair.create()
      expect(() => verifyCommit(bytes, { signingKey: other.did() })).toThrow(/signature/)
      // Every signed field is covered: change one, keep the signature.
      for (const change of [{ rev: nextTid() }, { prev: data }, { data: cidForCbor(encodeCbor({ x: 1 })) }]) {
        const tampered = encodeCommit({ ...commit, ...change }).bytes
        expect(() => verifyCommit(tampered, { signingKey: key.did() })).toThrow(/signature/)
      }
    })
  }
})
