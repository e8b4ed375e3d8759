/** How the outbox hands a message to the world (file.ts, smtp.ts). */
import type { Envelope } from './message.ts'

export interface MailTransport {
  /** Delivers one message or throws (the outbox retries later). */
  send(mail: Envelope): Promise<void>
}
