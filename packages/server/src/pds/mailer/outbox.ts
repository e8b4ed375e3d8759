/**
 * The mail outbox: `enqueue` writes a row into `mail_outbox` (synchronously, so it commits or rolls back
 * with the caller's transaction — a reset token and the mail carrying it exist together or not at all);
 * delivery runs right after the caller's transaction (a microtask) and on a timer, sends each due row
 * through the transport, deletes it once sent, and retries failures with a growing delay (1 min … 6 h) up
 * to MAX_ATTEMPTS, then drops the message and logs it. Rows written by another process on the same data
 * directory (the `stratus account` CLI) are picked up by the timer.
 */
import type { Logger } from 'pino'
import type { PdsDatabase } from '../db/index.ts'
import type { MailOutboxRow } from '../db/schema.ts'
import { type MailMessage, assertSafeAddress } from './message.ts'
import type { MailTransport } from './transport.ts'

const MAX_ATTEMPTS = 8
const BATCH = 50
const MINUTE = 60_000

export interface OutboxOptions {
  from: string
  logger: Pick<Logger, 'info' | 'warn' | 'error'>
  /** How often the timer looks for due mail (default 30 s). */
  pollIntervalMs?: number
}

export class Outbox {
  private timer: ReturnType<typeof setInterval> | undefined
  private running: Promise<number> | undefined
  private again = false
  private closed = false

  constructor(
    private readonly db: PdsDatabase,
    readonly transport: MailTransport,
    private readonly opts: OutboxOptions,
  ) {}

  get from(): string {
    return this.opts.from
  }

  /** Queues a message (inside the caller's transaction if there is one) and schedules delivery. */
  enqueue(msg: MailMessage): void {
    assertSafeAddress(msg.to)
    const now = new Date().toISOString()
    this.db
      .stmt(
        `INSERT INTO mail_outbox (recipient, subject, body_text, kind, created_at, next_attempt_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(msg.to, msg.subject, msg.text, msg.kind, now, now)
    // After the synchronous transaction has committed (or rolled back: then there is nothing to send).
    queueMicrotask(() => void this.deliver().catch((err) => this.opts.logger.error({ err }, 'mail delivery failed')))
  }

  /** Sends every due message; resolves with how many went out. Concurrent calls share one run. */
  deliver(): Promise<number> {
    if (this.closed) return Promise.resolve(0)
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = this.run().finally(() => {
      this.running = undefined
      if (this.again && !this.closed) {
        this.again = false
        void this.deliver()
      }
    })
    return this.running
  }

  private async run(): Promise<number> {
    let sent = 0
    for (;;) {
      const due = this.db
        .stmt('SELECT * FROM mail_outbox WHERE next_attempt_at <= ? ORDER BY id LIMIT ?')
        .all(new Date().toISOString(), BATCH) as MailOutboxRow[]
      for (const row of due) if (await this.sendOne(row)) sent++
      if (due.length < BATCH) return sent
    }
  }

  private async sendOne(row: MailOutboxRow): Promise<boolean> {
    try {
      await this.transport.send({
        from: this.opts.from,
        to: row.recipient,
        subject: row.subject,
        text: row.body_text,
        kind: row.kind,
      })
      this.db.stmt('DELETE FROM mail_outbox WHERE id = ?').run(row.id)
      this.opts.logger.info({ kind: row.kind, id: row.id }, 'mail sent')
      return true
    } catch (err) {
      const attempts = row.attempts + 1
      if (attempts >= MAX_ATTEMPTS) {
        this.db.stmt('DELETE FROM mail_outbox WHERE id = ?').run(row.id)
        this.opts.logger.error({ err, kind: row.kind, id: row.id }, 'mail dropped after repeated failures')
        return false
      }
      const delay = Math.min(MINUTE * 4 ** (attempts - 1), 6 * 60 * MINUTE)
      this.db
        .stmt('UPDATE mail_outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?')
        .run(attempts, new Date(Date.now() + delay).toISOString(), String((err as Error).message).slice(0, 500), row.id)
      this.opts.logger.warn({ err, kind: row.kind, id: row.id, attempts }, 'mail delivery failed; will retry')
      return false
    }
  }

  /** Delivers now and then every `pollIntervalMs`. */
  start(): void {
    if (this.timer || this.closed) return
    void this.deliver().catch(() => {})
    this.timer = setInterval(() => void this.deliver().catch(() => {}), this.opts.pollIntervalMs ?? 30_000)
    this.timer.unref()
  }

  /** Stops the timer and waits for a delivery in progress. */
  async stop(): Promise<void> {
    this.closed = true
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    await this.running?.catch(() => {})
  }

  /** Messages still waiting (operators, tests). */
  pending(): number {
    return (this.db.stmt('SELECT count(*) AS n FROM mail_outbox').get() as { n: number }).n
  }
}
