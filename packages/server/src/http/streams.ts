/**
 * Stream plumbing shared by the adapter and the router: async iterables as pull-based ReadableStreams
 * (nothing is read ahead of the consumer; cancelling the stream returns the iterator so its `finally`
 * blocks run), and a byte reader with a hard size limit that stops reading as soon as the limit is passed.
 */

/** A ReadableStream that pulls one chunk from `iter` per read and returns the iterator on cancel. */
export function streamFromAsyncIterable(iter: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  let it: AsyncIterator<Uint8Array> | undefined
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        it ??= iter[Symbol.asyncIterator]()
        const { done, value } = await it.next()
        if (done) controller.close()
        else controller.enqueue(value)
      },
      async cancel(reason) {
        it ??= iter[Symbol.asyncIterator]()
        await it.return?.(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

/** Iterates a ReadableStream's chunks; leaving the loop early cancels the stream. */
export async function* iterateStream<T>(stream: ReadableStream<T>): AsyncGenerator<T> {
  const reader = stream.getReader()
  let finished = false
  try {
    while (true) {
      const { done, value } = await reader.read()
      if (done) {
        finished = true
        return
      }
      yield value
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {})
    reader.releaseLock()
  }
}

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError'
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`)
  }
}

/** Reads a whole body, cancelling the stream (and throwing BodyTooLargeError) once it passes `limit` bytes. */
export async function readLimited(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (stream === null) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of limitStream(stream, limit)) {
    chunks.push(chunk)
    total += chunk.byteLength
  }
  if (chunks.length === 1) return chunks[0]
  const out = new Uint8Array(total)
  let off = 0
  for (const c of chunks) {
    out.set(c, off)
    off += c.byteLength
  }
  return out
}

/** Yields the stream's chunks, throwing BodyTooLargeError (after cancelling the stream) past `limit` bytes. */
export async function* limitStream(stream: ReadableStream<Uint8Array>, limit: number): AsyncGenerator<Uint8Array> {
  let total = 0
  for await (const chunk of iterateStream(stream)) {
    total += chunk.byteLength
    if (total > limit) throw new BodyTooLargeError(limit)
    yield chunk
  }
}
