/**
 * Blobs: uploads streamed to disk (content-addressed by raw CID, per account), media type sniffing,
 * temporary until a record references them, deleted when no record does, unreferenced uploads swept
 * after a grace period. See store.ts for the lifecycle and crash safety.
 */
export {
  PdsBlobs,
  MIN_GRACE_MS,
  type BlobsOptions,
  type ServedBlob,
  type UploadedBlob,
  type RecordBlobLink,
} from './store.ts'
export { sniffMimeType, SNIFF_BYTES } from './sniff.ts'
export { receiveBlob, type ReceivedBlob } from './upload.ts'
