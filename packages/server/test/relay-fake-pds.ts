/**
 * A scriptable upstream host for the relay's tests: a small HTTP + WebSocket server that answers
 * describeServer and getRepo for its accounts and serves subscribeRepos from a list of raw frames the test
 * pushes (any bytes at all: honest, forged or garbage). A reconnecting subscriber gets every stored frame
 * after its cursor, then live ones; frames pushed with `once` are sent a single time (so a test can send a
 * frame that makes the relay disconnect without looping forever).
 *
 * DIDs are registered on a PLC directory (our core/plc operations) with this server as their PDS.
 */
import { type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Secp256k1Keypair } from '@stratus/core/crypto'
import { PlcClient, createOp } from '@stratus/core/plc'
import { exportRepoCarBytes } from '@stratus/core/repo'
import { type WebSocket, WebSocketServer } from 'ws'
import { TestAccount } from '../src/relay/test-util.ts'

interface Stored {
  pos: number
  frame: Uint8Array
  once: boolean
  sent: boolean
}

export class FakePds {
  readonly accounts = new Map<string, TestAccount>()
  private readonly stored: Stored[] = []
  private readonly sockets = new Set<WebSocket>()
  private lastPos = 0
  connections = 0
  /** Cursors the relay connected with. */
  readonly cursors: (number | undefined)[] = []

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  get hostname(): string {
    return `localhost:${new URL(this.url).port}`
  }

  static async start(): Promise<FakePds> {
    const wss = new WebSocketServer({ noServer: true })
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, resolve))
    const port = (server.address() as AddressInfo).port
    const pds = new FakePds(server, wss, `http://localhost:${port}`)
    server.on('request', (req, res) => pds.http(req.url ?? '/', res))
    server.on('upgrade', (req, socket, head) => {
      wss.handleUpgrade(req, socket, head, (ws) => pds.subscribe(ws, req.url ?? '/'))
    })
    return pds
  }

  /** A new account with a DID on `plcUrl` naming this server as its PDS. */
  async createAccount(plcUrl: string, handle: string): Promise<TestAccount> {
    const key = Secp256k1Keypair.create({ exportable: true })
    const rotation = Secp256k1Keypair.create()
    const { op, did } = createOp({
      signingKey: key.did(),
      handle,
      pds: this.url,
      rotationKeys: [rotation.did()],
      signer: rotation,
    })
    await new PlcClient(plcUrl).sendOperation(did, op)
    const acct = new TestAccount(did, key)
    this.accounts.set(did, acct)
    return acct
  }

  /** A new account with a random did:plc that only a stub resolver knows (see StubResolver). */
  addAccount(): TestAccount {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
    let id = ''
    for (let i = 0; i < 24; i++) id += alphabet[Math.floor(Math.random() * 32)]
    const acct = new TestAccount(`did:plc:${id}`)
    this.accounts.set(acct.did, acct)
    return acct
  }

  private http(path: string, res: import('node:http').ServerResponse): void {
    const url = new URL(path, this.url)
    if (url.pathname === '/xrpc/com.atproto.server.describeServer') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ did: 'did:web:localhost', availableUserDomains: ['.test'] }))
      return
    }
    const acct = this.accounts.get(url.searchParams.get('did') ?? '')
    if (url.pathname === '/xrpc/com.atproto.sync.getRepo' && acct) {
      res.writeHead(200, { 'content-type': 'application/vnd.ipld.car' })
      res.end(exportRepoCarBytes(acct.repo.store, acct.repo.cid))
      return
    }
    res.writeHead(404, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: 'NotFound', message: 'not here' }))
  }

  private subscribe(ws: WebSocket, path: string): void {
    const raw = new URL(path, this.url).searchParams.get('cursor')
    const cursor = raw === null ? undefined : Number(raw)
    this.connections++
    this.cursors.push(cursor)
    this.sockets.add(ws)
    ws.on('close', () => this.sockets.delete(ws))
    ws.on('error', () => {})
    for (const s of this.stored) if (cursor === undefined || s.pos > cursor) this.sendTo(ws, s)
  }

  private sendTo(ws: WebSocket, s: Stored): void {
    if (s.once && s.sent) return
    s.sent = true
    ws.send(s.frame, { binary: true })
  }

  /**
   * Stores and sends a frame. `seq` orders it for replay (frames without one sort just after the
   * previous frame, so they are replayed after a reconnect from that cursor).
   */
  push(frame: Uint8Array, opts: { seq?: number; once?: boolean } = {}): void {
    const pos = opts.seq ?? this.lastPos + 0.5
    if (opts.seq !== undefined) this.lastPos = opts.seq
    const s: Stored = { pos, frame, once: opts.once ?? false, sent: false }
    this.stored.push(s)
    for (const ws of this.sockets) this.sendTo(ws, s)
  }

  /** Drops every connection (the relay should reconnect from its cursor). */
  kick(): void {
    for (const ws of this.sockets) ws.terminate()
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate()
    this.wss.close()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
