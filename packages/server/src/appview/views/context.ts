/**
 * What every view builder gets: the hydrated state and the URL builders for blobs. View builders are pure:
 * same state in, same JSON out, no I/O. Anything not in the state is shown as missing, never fetched.
 */
import type { ViewState } from '../hydration/hydrator.ts'

export type ImagePreset = 'avatar' | 'banner' | 'feed_thumbnail' | 'feed_fullsize'

export interface BlobUrls {
  image(preset: ImagePreset, did: string, cid: string): string
  videoPlaylist(did: string, cid: string): string
  videoThumbnail(did: string, cid: string): string
}

export interface ViewCtx {
  state: ViewState
  urls: BlobUrls
}

/** Blob URLs under one base: `<base>/<preset>/plain/<did>/<cid>@jpeg` (the AppView redirects these to the PDS). */
export function blobUrls(base: string): BlobUrls {
  const b = base.replace(/\/+$/, '')
  return {
    image: (preset, did, cid) => `${b}/${preset}/plain/${did}/${cid}@jpeg`,
    videoPlaylist: (did, cid) => `${b}/video/plain/${did}/${cid}/playlist.m3u8`,
    videoThumbnail: (did, cid) => `${b}/video/plain/${did}/${cid}/thumbnail.jpg`,
  }
}

/**
 * Marks an object literal whose undefined properties are meant as "absent". Nothing is deleted: responses
 * are serialized with JSON.stringify, which leaves undefined properties out, and deleting properties would
 * push V8 objects into slow dictionary mode on the hottest path.
 */
export function compact<T extends Record<string, unknown>>(o: T): T {
  return o
}
