/**
 * WebSocket framing of a whole published batch, done once for every firehose consumer: server-to-client
 * messages are unmasked (RFC 6455 §5.1), so the same bytes are valid on every connection. Each frame is a
 * single final binary message, exactly what `ws.send(frame, { binary: true })` writes, so a live consumer
 * costs one socket write per batch instead of two writes (header, payload) per event. Only valid without
 * permessage-deflate (the relay's WebSocket server does not negotiate it).
 */
export function wsBinaryMessages(frames: readonly { frame: Uint8Array }[]): Buffer {
  let total = 0
  for (const { frame } of frames) total += headerLength(frame.byteLength) + frame.byteLength
  const out = Buffer.allocUnsafe(total)
  let at = 0
  for (const { frame } of frames) {
    const len = frame.byteLength
    out[at++] = 0x82 // FIN, binary
    if (len < 126) out[at++] = len
    else if (len < 0x1_0000) {
      out[at++] = 126
      out.writeUInt16BE(len, at)
      at += 2
    } else {
      out[at++] = 127
      out.writeUInt32BE(Math.floor(len / 0x1_0000_0000), at)
      out.writeUInt32BE(len >>> 0, at + 4)
      at += 8
    }
    out.set(frame, at)
    at += len
  }
  return out
}

function headerLength(len: number): number {
  return len < 126 ? 2 : len < 0x1_0000 ? 4 : 10
}
