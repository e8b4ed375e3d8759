/** Helpers for the router's tests: a served router per test, closed afterwards, and request shorthands. */
import net from 'node:net'
import { CID } from '@stratus/core/data'
import { Lexicons } from '@stratus/core/lexicon'
import { afterEach } from 'vitest'
import { type ServedHandle, type XrpcRouter, type XrpcRouterOptions, createXrpcRouter, serveFetch } from './index.ts'
import { TEST_LEXICONS } from './test-lexicons.ts'

export const lexicons = new Lexicons(TEST_LEXICONS)

/** Registers an afterEach that closes every router served by `start` in the calling test file. */
export function routerHarness() {
  const open: ServedHandle[] = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()))
  })
  return async function start(setup: (r: XrpcRouter) => void, opts: XrpcRouterOptions = { lexicons }) {
    const router = createXrpcRouter(opts)
    setup(router)
    const served = await serveFetch(router, { port: 0 })
    open.push(served)
    return served
  }
}

export const json = (body: unknown) => ({ encoding: 'application/json', body })
export const cid = CID.parse('bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz454')

export async function errorOf(res: Response): Promise<[number, string, string | undefined]> {
  const body = (await res.json()) as { error: string; message?: string }
  return [res.status, body.error, body.message]
}

export function post(url: string, body: BodyInit | undefined, type?: string, headers: Record<string, string> = {}) {
  return fetch(url, { method: 'POST', body, headers: type ? { 'content-type': type, ...headers } : headers })
}

/** Sends raw request bytes and resolves with the status line once the server answers. */
export function rawStatus(port: number, head: string, body?: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => {
      sock.write(head)
      if (body) sock.write(body)
    })
    let out = ''
    sock.on('data', (d) => {
      out += d
      if (out.includes('\r\n')) {
        resolve(out.split('\r\n')[0])
        sock.destroy()
      }
    })
    sock.on('error', reject)
  })
}
