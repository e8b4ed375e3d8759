/**
 * A free port base for a dev network in tests: N, N+2 … N+5 must all be free on 127.0.0.1 (N+1 is unused).
 * Checked by binding each port and letting go, so another process can still take one before the network
 * starts; callers that care retry on EADDRINUSE.
 */
import { createServer } from 'node:net'

const OFFSETS = [0, 2, 3, 4, 5]

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/** A random base in [20000, 60000) whose five ports are free right now. */
export async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 40000)
    let free = true
    for (const offset of OFFSETS) {
      if (!(await portFree(base + offset))) {
        free = false
        break
      }
    }
    if (free) return base
  }
  throw new Error('no free port base found')
}
