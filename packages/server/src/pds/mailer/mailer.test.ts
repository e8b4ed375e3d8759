/**
 * The mail path without a PDS: our SMTP client against a scripted loopback SMTP server (greeting,
 * EHLO, AUTH PLAIN and LOGIN, envelope, DATA, a refused recipient), the message format (headers,
 * encoded-word subject, base64 body), and the outbox (delivery deletes the row, failures are retried
 * later, rows of a rolled-back transaction are never sent).
 */
import { type Socket, createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PdsDatabase, openPdsDatabase } from '../db/index.ts'
import { MailError, type Envelope, formatMessage } from './message.ts'
import { Outbox } from './outbox.ts'
import { SmtpTransport, parseSmtpUrl } from './smtp.ts'
import type { MailTransport } from './transport.ts'

interface Session {
  lines: string[]
  auth?: string[]
  from?: string
  to?: string
  data?: string
}

/** A scripted SMTP server: offers AUTH `mechs`, refuses recipients at `refuse.example`. */
async function fakeSmtp(mechs: string): Promise<{ port: number; sessions: Session[]; close(): Promise<void> }> {
  const sessions: Session[] = []
  const server = createServer((sock: Socket) => {
    const s: Session = { lines: [] }
    sessions.push(s)
    let buf = ''
    let inData = false
    let authStep: 'user' | 'pass' | undefined
    const reply = (l: string) => sock.write(`${l}\r\n`)
    reply('220 fake.example ESMTP ready')
    sock.on('data', (chunk) => {
      buf += chunk.toString('latin1')
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 2)
        if (inData) {
          if (line === '.') {
            inData = false
            reply('250 2.0.0 queued')
          } else s.data = `${s.data ?? ''}${line}\r\n`
          continue
        }
        s.lines.push(line)
        if (authStep === 'user') {
          s.auth = [Buffer.from(line, 'base64').toString()]
          authStep = 'pass'
          reply('334 UGFzc3dvcmQ6')
        } else if (authStep === 'pass') {
          s.auth?.push(Buffer.from(line, 'base64').toString())
          authStep = undefined
          reply('235 ok')
        } else if (/^EHLO /.test(line)) {
          sock.write(`250-fake.example\r\n250-SIZE 1000000\r\n250 AUTH ${mechs}\r\n`)
        } else if (line.startsWith('AUTH PLAIN ')) {
          s.auth = Buffer.from(line.slice(11), 'base64').toString().split('\0').slice(1)
          reply('235 2.7.0 accepted')
        } else if (line === 'AUTH LOGIN') {
          authStep = 'user'
          reply('334 VXNlcm5hbWU6')
        } else if (line.startsWith('MAIL FROM:')) {
          s.from = line.slice(10)
          reply('250 ok')
        } else if (line.startsWith('RCPT TO:')) {
          s.to = line.slice(8)
          reply(line.includes('refuse.example') ? '550 5.1.1 no such user' : '250 ok')
        } else if (line === 'DATA') {
          inData = true
          reply('354 go ahead')
        } else if (line === 'QUIT') {
          reply('221 bye')
          sock.end()
        } else reply('502 unknown')
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  return { port, sessions, close: () => new Promise((r) => server.close(() => r())) }
}

const mail: Envelope = {
  from: 'noreply@pds.example',
  to: 'alice@example.com',
  subject: 'Réinitialisation — code',
  text: 'Your code is:\n\n    ABCDE-FGHIJ\n\n.a line starting with a dot\n',
  kind: 'reset_password',
}

function bodyOf(message: string): string {
  const [, body] = message.split('\r\n\r\n')
  return Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString('utf8')
}

describe('message format', () => {
  it('headers, encoded-word subject, base64 UTF-8 body with CRLF lines; header injection refused', () => {
    const msg = formatMessage(mail, { date: new Date('2025-01-02T03:04:05Z') })
    const head = msg.split('\r\n\r\n')[0].split('\r\n')
    expect(head).toContain('From: noreply@pds.example')
    expect(head).toContain('To: alice@example.com')
    expect(head).toContain('Date: Thu, 02 Jan 2025 03:04:05 +0000')
    const subject = head.find((h) => h.startsWith('Subject: ')) as string
    const m = /^Subject: =\?UTF-8\?B\?(.+)\?=$/.exec(subject)
    expect(Buffer.from(m?.[1] as string, 'base64').toString('utf8')).toBe(mail.subject)
    expect(bodyOf(msg)).toBe(mail.text.replace(/\n/g, '\r\n'))
    expect(msg.split('\r\n').every((l) => l.length <= 998)).toBe(true)
    expect(() => formatMessage({ ...mail, to: 'a@b.example\r\nBcc: x@y.example' })).toThrow(MailError)
    expect(() => formatMessage({ ...mail, from: '<evil>@x.example' })).toThrow(MailError)
  })

  it('parses SMTP URLs (ports, implicit TLS, percent-encoded credentials)', () => {
    expect(parseSmtpUrl('smtp://mail.example')).toMatchObject({ host: 'mail.example', port: 587, implicitTls: false })
    expect(parseSmtpUrl('smtps://u%40x:p%3Aw@mail.example')).toMatchObject({
      port: 465,
      implicitTls: true,
      user: 'u@x',
      pass: 'p:w',
    })
    expect(() => parseSmtpUrl('http://mail.example')).toThrow(MailError)
  })
})

describe('SMTP client', () => {
  let server: Awaited<ReturnType<typeof fakeSmtp>>
  beforeAll(async () => {
    server = await fakeSmtp('PLAIN LOGIN')
  })
  afterAll(async () => {
    await server?.close()
  })

  it('delivers with AUTH PLAIN: envelope, credentials, the whole message', async () => {
    const smtp = new SmtpTransport({
      url: `smtp://relay%40pds:s3cret@127.0.0.1:${server.port}`,
      heloName: 'pds.example',
    })
    await smtp.send(mail)
    const s = server.sessions.at(-1) as Session
    expect(s.lines[0]).toBe('EHLO pds.example')
    expect(s.auth).toEqual(['relay@pds', 's3cret'])
    expect(s.from).toBe('<noreply@pds.example>')
    expect(s.to).toBe('<alice@example.com>')
    expect(bodyOf(s.data as string)).toBe(mail.text.replace(/\n/g, '\r\n'))
    expect(s.lines.at(-1)).toBe('QUIT')
  })

  it('uses AUTH LOGIN when that is all the server offers; a refused recipient is a MailError', async () => {
    const login = await fakeSmtp('LOGIN')
    try {
      await new SmtpTransport({ url: `smtp://me:pw@127.0.0.1:${login.port}`, heloName: 'pds.example' }).send(mail)
      expect(login.sessions[0].auth).toEqual(['me', 'pw'])
      const refused = new SmtpTransport({ url: `smtp://127.0.0.1:${login.port}`, heloName: 'pds.example' })
      await expect(refused.send({ ...mail, to: 'x@refuse.example' })).rejects.toThrow(/550/)
    } finally {
      await login.close()
    }
  })

  it('a closed port is a MailError, not a crash', async () => {
    const port = server.port
    await server.close()
    await expect(
      new SmtpTransport({ url: `smtp://127.0.0.1:${port}`, heloName: 'x', timeoutMs: 2000 }).send(mail),
    ).rejects.toThrow(MailError)
    server = await fakeSmtp('PLAIN')
  })
})

describe('outbox', () => {
  let db: PdsDatabase
  beforeAll(async () => {
    db = await openPdsDatabase({ url: 'sqlite::memory:' })
  })
  afterAll(async () => {
    await db?.close()
  })
  const logger = { info() {}, warn() {}, error() {} }

  it('sends after commit, deletes what was sent, retries failures later, never sends rolled-back mail', async () => {
    const sent: string[] = []
    let failing = true
    const transport: MailTransport = {
      async send(m) {
        if (failing) throw new Error('relay down')
        sent.push(m.to)
      },
    }
    const outbox = new Outbox(db, transport, { from: 'noreply@pds.example', logger })
    expect(() =>
      db.transact(() => {
        outbox.enqueue({ to: 'never@example.com', subject: 's', text: 't', kind: 'test' })
        throw new Error('rolled back')
      }),
    ).toThrow('rolled back')
    db.transact(() => outbox.enqueue({ to: 'bob@example.com', subject: 's', text: 't', kind: 'test' }))
    await new Promise((r) => setTimeout(r, 20))
    await outbox.deliver()
    expect(sent).toEqual([])
    const row = db.stmt('SELECT * FROM mail_outbox').get() as {
      attempts: number
      next_attempt_at: string
      last_error: string
    }
    expect(row).toMatchObject({ attempts: 1, last_error: 'relay down' })
    expect(Date.parse(row.next_attempt_at)).toBeGreaterThan(Date.now() + 30_000)
    failing = false
    expect(await outbox.deliver()).toBe(0) // not due yet
    db.stmt('UPDATE mail_outbox SET next_attempt_at = ?').run(new Date(0).toISOString())
    expect(await outbox.deliver()).toBe(1)
    expect(sent).toEqual(['bob@example.com'])
    expect(outbox.pending()).toBe(0)
    await outbox.stop()
  })
})
