/**
 * A deliberately plain email check: one '@', a non-empty local part without spaces or control characters,
 * a domain of dot-separated DNS-style labels with a TLD, at most 254 characters. Lowercased for storage.
 * Does NOT check that the mailbox exists (part 2 confirms addresses by mail) or block disposable domains.
 */
import { InvalidRequestError } from '@stratus/core/xrpc'

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i
const LOCAL = /^[^\s@"(),:;<>[\\\]\p{Cc}]{1,64}$/u

export function isValidEmail(email: string): boolean {
  if (email.length > 254) return false
  const at = email.lastIndexOf('@')
  if (at < 1 || email.indexOf('@') !== at) return false
  const local = email.slice(0, at)
  const labels = email.slice(at + 1).split('.')
  if (!LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false
  return labels.length >= 2 && labels.every((l) => LABEL.test(l)) && /^[a-z]{2,63}$/i.test(labels[labels.length - 1])
}

/** The lowercased address, or 400 InvalidRequest. */
export function validateEmail(input: unknown): string {
  if (typeof input !== 'string' || input === '') throw new InvalidRequestError('Email is required')
  const email = input.trim().toLowerCase()
  if (!isValidEmail(email))
    throw new InvalidRequestError('This email address is not supported, please use a different email.')
  return email
}
