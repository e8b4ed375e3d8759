/**
 * Images for posts: reads a picked file's size, shrinks it in a canvas when it is over the
 * app.bsky.embed.images limit (1,000,000 bytes) or larger than 2000 px on a side, and uploads it with
 * com.atproto.repo.uploadBlob. Does NOT strip metadata from images that need no shrinking (re-encoding
 * every photo would cost quality); shrunk images are re-encoded as JPEG, which drops EXIF.
 */
import type { Agent } from './agent.ts'

export const MAX_IMAGE_BYTES = 1_000_000
export const MAX_IMAGES = 4
const MAX_SIDE = 2000
export const ACCEPTED_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp']

export interface PreparedImage {
  blob: Blob
  width: number
  height: number
}

export interface UploadedImage {
  image: unknown // the blob ref exactly as the PDS returned it
  aspectRatio: { width: number; height: number }
}

export async function prepareImage(file: Blob): Promise<PreparedImage> {
  if (!ACCEPTED_TYPES.includes(file.type)) throw new Error('Only JPEG, PNG, GIF and WebP images can be attached.')
  const bitmap = await createImageBitmap(file).catch(() => {
    throw new Error('That file could not be read as an image.')
  })
  try {
    const { width, height } = bitmap
    if (file.size <= MAX_IMAGE_BYTES && Math.max(width, height) <= MAX_SIDE) return { blob: file, width, height }
    return await shrink(bitmap)
  } finally {
    bitmap.close()
  }
}

async function shrink(bitmap: ImageBitmap): Promise<PreparedImage> {
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height))
  let width = Math.round(bitmap.width * scale)
  let height = Math.round(bitmap.height * scale)
  for (let attempt = 0; attempt < 6; attempt++) {
    const canvas = document.createElement('canvas')
    canvas.width = width
    canvas.height = height
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, width, height)
    const blob = await new Promise<Blob | null>((ok) => canvas.toBlob(ok, 'image/jpeg', 0.85 - attempt * 0.08))
    if (blob && blob.size <= MAX_IMAGE_BYTES) return { blob, width, height }
    width = Math.round(width * 0.8)
    height = Math.round(height * 0.8)
  }
  throw new Error('That image is too large, even after shrinking it. Try a smaller one.')
}

export async function uploadImage(agent: Agent, img: PreparedImage): Promise<UploadedImage> {
  const out = await agent.procedure('com.atproto.repo.uploadBlob', img.blob, { encoding: img.blob.type })
  return { image: out.blob, aspectRatio: { width: img.width, height: img.height } }
}
