/**
 * Receiving an upload: the body is streamed into a temporary file while it is hashed (sha-256 → raw CID),
 * counted against the size limit (413 PayloadTooLarge as soon as it passes, the partial file removed) and
 * its first bytes kept for media-type sniffing. Nothing is held in memory beyond one chunk.
 */
import { createHash, randomBytes } from 'node:crypto'
import { open, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { CID, RAW } from '@stratus/core/data'
import { PayloadTooLargeError } from '@stratus/core/xrpc'
import { SNIFF_BYTES, sniffMimeType } from './sniff.ts'

export interface ReceivedBlob {
  /** Path of the temporary file holding the bytes. */
  tempPath: string
  cid: CID
  size: number
  /** Sniffed from the content; undefined when the format is not recognised. */
  sniffed: string | undefined
}

export async function receiveBlob(
  body: AsyncIterable<Uint8Array>,
  opts: { tempDir: string; maxBytes: number; fsync: boolean },
): Promise<ReceivedBlob> {
  const tempPath = join(opts.tempDir, `${Date.now()}-${randomBytes(8).toString('hex')}`)
  const file = await open(tempPath, 'wx')
  const hash = createHash('sha256')
  const head = new Uint8Array(SNIFF_BYTES)
  let size = 0
  try {
    for await (const chunk of body) {
      if (size < SNIFF_BYTES) head.set(chunk.subarray(0, SNIFF_BYTES - size), size)
      size += chunk.byteLength
      if (size > opts.maxBytes) throw new PayloadTooLargeError(`blob exceeds the ${opts.maxBytes}-byte upload limit`)
      hash.update(chunk)
      for (let off = 0; off < chunk.byteLength; ) off += (await file.write(chunk, off)).bytesWritten
    }
    if (opts.fsync) await file.sync()
    await file.close()
  } catch (err) {
    await file.close().catch(() => {})
    await unlink(tempPath).catch(() => {})
    throw err
  }
  const cid = CID.create(RAW, new Uint8Array(hash.digest()))
  return { tempPath, cid, size, sniffed: sniffMimeType(head.subarray(0, Math.min(size, SNIFF_BYTES))) }
}
