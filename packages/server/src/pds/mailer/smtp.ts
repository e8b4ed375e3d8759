/**
 * A small SMTP client (RFC 5321) over node:net / node:tls, enough to hand mail to a relay or a provider's
 * submission port: EHLO, STARTTLS when the server offers it (`smtp://`, port 587 by default) or TLS from
 * the start (`smtps://`, port 465), AUTH PLAIN or LOGIN when the URL has credentials, then MAIL FROM,
 * RCPT TO and DATA (dot-stuffed), QUIT. One connection per message: PDS mail is a trickle.
 *
 * URL: `smtp[s]://[user[:password]@]host[:port]`, user and password percent-encoded. Credentials are never
 * sent over a connection that is not encrypted, except to a loopback host (a local relay).
 * Not supported: pipelining, 8BITMIME/SMTPUTF8 (messages are base64, see message.ts), CRAM-MD5, OAuth.
 */
import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls'
import { type Envelope, MailError, assertSafeAddress, formatMessage } from './message.ts'
import type { MailTransport } from './transport.ts'

export interface SmtpOptions {
  url: string
  /** Our name in EHLO (the PDS hostname). */
  heloName: string
  /** Per-step timeout (default 30 s). */
  timeoutMs?: number
  /** Extra TLS options (e.g. a CA for a private relay). */
  tls?: ConnectionOptions
}

interface Reply {
  code: number
  lines: string[]
}

interface Target {
  host: string
  port: number
  implicitTls: boolean
  user?: string
  pass?: string
}

export function parseSmtpUrl(url: string): Target {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new MailError('SMTP URL is not a URL')
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:')
    throw new MailError('SMTP URL must start with smtp:// or smtps://')
  const implicitTls = u.protocol === 'smtps:'
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : implicitTls ? 465 : 587,
    implicitTls,
    user: u.username ? decodeURIComponent(u.username) : undefined,
    pass: u.password ? decodeURIComponent(u.password) : undefined,
  }
}

export class SmtpTransport implements MailTransport {
  private readonly target: Target

  constructor(private readonly opts: SmtpOptions) {
    this.target = parseSmtpUrl(opts.url)
  }

  async send(mail: Envelope): Promise<void> {
    assertSafeAddress(mail.from)
    assertSafeAddress(mail.to)
    const conn = await SmtpConnection.open(this.target, this.opts)
    try {
      await conn.session(mail, formatMessage(mail, { hostname: this.opts.heloName }))
    } finally {
      conn.destroy()
    }
  }
}

class SmtpConnection {
  private buffer = ''
  private replies: Reply[] = []
  private pending: Reply['lines'] = []
  private waiter: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined
  private failure: Error | undefined
  private secure: boolean

  private constructor(
    private socket: Socket | TLSSocket,
    private readonly target: Target,
    private readonly opts: SmtpOptions,
  ) {
    this.secure = target.implicitTls
    this.attach(socket)
  }

  static async open(target: Target, opts: SmtpOptions): Promise<SmtpConnection> {
    const socket = target.implicitTls
      ? tlsConnect({ host: target.host, port: target.port, servername: sniName(target.host), ...opts.tls })
      : netConnect({ host: target.host, port: target.port })
    const conn = new SmtpConnection(socket, target, opts)
    await conn.expect(220)
    return conn
  }

  /** The whole dialogue for one message. */
  async session(mail: Envelope, data: string): Promise<void> {
    let ext = await this.ehlo()
    if (!this.secure && ext.has('STARTTLS')) {
      await this.command('STARTTLS', 220)
      await this.upgrade()
      ext = await this.ehlo()
    }
    if (this.target.user !== undefined) await this.auth(ext)
    await this.command(`MAIL FROM:<${mail.from}>`, 250)
    await this.command(`RCPT TO:<${mail.to}>`, [250, 251])
    await this.command('DATA', 354)
    // Dot-stuffing: a line starting with '.' gets another one; the message ends with CRLF.CRLF.
    const stuffed = data.replace(/(^|\r\n)\./g, '$1..')
    await this.command(`${stuffed.endsWith('\r\n') ? stuffed : `${stuffed}\r\n`}.`, 250)
    await this.command('QUIT', 221).catch(() => {})
  }

  private async ehlo(): Promise<Set<string>> {
    const reply = await this.command(`EHLO ${this.opts.heloName}`, 250)
    return new Set(reply.lines.slice(1).map((l) => l.toUpperCase()))
  }

  private async auth(ext: Set<string>): Promise<void> {
    if (!this.secure && !isLoopback(this.target.host)) {
      throw new MailError('refusing to send SMTP credentials over an unencrypted connection')
    }
    const mechs =
      [...ext]
        .find((l) => l.startsWith('AUTH ') || l.startsWith('AUTH='))
        ?.slice(5)
        .split(/\s+/) ?? []
    const user = this.target.user ?? ''
    const pass = this.target.pass ?? ''
    if (mechs.includes('PLAIN') || !mechs.includes('LOGIN')) {
      const token = Buffer.from(`\0${user}\0${pass}`, 'utf8').toString('base64')
      await this.command(`AUTH PLAIN ${token}`, 235)
      return
    }
    await this.command('AUTH LOGIN', 334)
    await this.command(Buffer.from(user, 'utf8').toString('base64'), 334)
    await this.command(Buffer.from(pass, 'utf8').toString('base64'), 235)
  }

  private async upgrade(): Promise<void> {
    const plain = this.socket as Socket
    plain.removeAllListeners('data')
    const secured = tlsConnect({ socket: plain, servername: sniName(this.target.host), ...this.opts.tls })
    await new Promise<void>((resolve, reject) => {
      secured.once('secureConnect', resolve)
      secured.once('error', reject)
    })
    this.socket = secured
    this.secure = true
    this.buffer = ''
    this.attach(secured)
  }

  private async command(line: string, expected: number | number[]): Promise<Reply> {
    this.socket.write(`${line}\r\n`)
    return this.expect(expected, line.startsWith('AUTH') ? 'AUTH' : line.split('\r\n')[0].slice(0, 40))
  }

  private async expect(expected: number | number[], what = 'greeting'): Promise<Reply> {
    const reply = await this.next()
    const ok = Array.isArray(expected) ? expected.includes(reply.code) : reply.code === expected
    if (!ok) throw new MailError(`SMTP ${what}: server answered ${reply.code} ${reply.lines.join(' ').slice(0, 200)}`)
    return reply
  }

  private next(): Promise<Reply> {
    const ready = this.replies.shift()
    if (ready) return Promise.resolve(ready)
    if (this.failure) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined
        reject(new MailError('SMTP server did not answer in time'))
        this.destroy()
      }, this.opts.timeoutMs ?? 30_000)
      this.waiter = {
        resolve: (r) => {
          clearTimeout(timer)
          resolve(r)
        },
        reject: (e) => {
          clearTimeout(timer)
          reject(e)
        },
      }
    })
  }

  private attach(socket: Socket | TLSSocket): void {
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => this.onData(chunk))
    socket.on('error', (err) => this.fail(new MailError(`SMTP connection failed: ${err.message}`)))
    socket.on('close', () => this.fail(new MailError('SMTP connection closed')))
  }

  private onData(chunk: string): void {
    this.buffer += chunk
    if (this.buffer.length > 64 * 1024) {
      this.fail(new MailError('SMTP reply too long'))
      return
    }
    let i = this.buffer.indexOf('\r\n')
    while (i >= 0) {
      const line = this.buffer.slice(0, i)
      this.buffer = this.buffer.slice(i + 2)
      this.onLine(line)
      i = this.buffer.indexOf('\r\n')
    }
  }

  private onLine(line: string): void {
    const m = /^(\d{3})([ -]?)(.*)$/.exec(line)
    if (!m) {
      this.fail(new MailError(`malformed SMTP reply: ${line.slice(0, 100)}`))
      return
    }
    this.pending.push(m[3])
    if (m[2] === '-') return
    const reply = { code: Number(m[1]), lines: this.pending }
    this.pending = []
    const w = this.waiter
    this.waiter = undefined
    if (w) w.resolve(reply)
    else this.replies.push(reply)
  }

  private fail(err: Error): void {
    this.failure ??= err
    const w = this.waiter
    this.waiter = undefined
    w?.reject(err)
  }

  destroy(): void {
    this.socket.destroy()
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host)
}

/** SNI names must not be IP addresses. */
function sniName(host: string): string | undefined {
  return /^[\d.]+$/.test(host) || host.includes(':') ? undefined : host
}
