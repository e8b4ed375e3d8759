/** runService: --help, usage errors (exit code 2), start → signal → close. */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Field, parseFields } from './fields.ts'
import { type ServiceCommand, runService } from './service.ts'

const FIELDS: readonly Field<{ port: number }>[] = [
  { key: 'port', flag: 'port', env: 'T_PORT', kind: 'int', help: 'port' },
]

const DEFAULTS: { port: number } = { port: 1 }

function fakeService() {
  const events: string[] = []
  const cmd = {
    name: 'test',
    usage: 'Usage: stratus test',
    parse: (argv: readonly string[]) => parseFields(FIELDS, argv, {}, DEFAULTS),
    start: async (cfg: { port: number }) => {
      events.push(`start ${cfg.port}`)
      return { close: async () => void events.push('close') }
    },
    stopping: (signal: string) => void events.push(`stopping ${signal}`),
  }
  return { cmd, events }
}

function capture() {
  const out: string[] = []
  const err: string[] = []
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0)
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => err.push(String(s)) > 0)
  return { out, err }
}

afterEach(() => {
  vi.restoreAllMocks()
  process.exitCode = undefined
})

describe('runService', () => {
  it('--help prints the usage and starts nothing', async () => {
    const { cmd, events } = fakeService()
    const { out } = capture()
    expect(await runService(['--port', '2', '-h'], cmd)).toBeUndefined()
    expect(out.join('')).toBe('Usage: stratus test\n')
    expect(events).toEqual([])
  })

  it('a bad option is a one-line usage error naming the flag, exit code 2', async () => {
    const { cmd, events } = fakeService()
    const { err } = capture()
    expect(await runService(['--port', 'x'], cmd)).toBeUndefined()
    expect(err.join('')).toMatch(/^stratus test: --port must be a whole number: x\n/)
    expect(process.exitCode).toBe(2)
    expect(events).toEqual([])
  })

  it('other errors are not swallowed', async () => {
    const { cmd } = fakeService()
    const failing = { ...cmd, start: async () => Promise.reject(new Error('disk full')) }
    await expect(runService([], failing)).rejects.toThrow('disk full')
  })

  it('without waiting returns the running service', async () => {
    const { cmd, events } = fakeService()
    const svc = await runService(['--port', '3'], cmd, { waitForSignal: false })
    expect(events).toEqual(['start 3'])
    await svc?.close()
    expect(events).toEqual(['start 3', 'close'])
  })

  it('runs until SIGTERM, then closes and stops listening', async () => {
    const { cmd, events } = fakeService()
    await runUntilSignal(cmd, events)
    expect(events).toEqual(['start 1', 'stopping SIGTERM', 'close'])
  })

  it('waits for the signal also without a stopping hook', async () => {
    const { cmd, events } = fakeService()
    await runUntilSignal({ ...cmd, stopping: undefined }, events)
    expect(events).toEqual(['start 1', 'close'])
  })
})

/** Runs `cmd` until our SIGTERM handler is called; the service must not close before that. */
async function runUntilSignal(cmd: ServiceCommand<{ port: number }, { close(): Promise<void> }>, events: string[]) {
  const before = { term: process.listenerCount('SIGTERM'), int: process.listenerCount('SIGINT') }
  const run = runService([], cmd)
  await vi.waitFor(() => expect(process.listenerCount('SIGTERM')).toBe(before.term + 1))
  expect(events).toEqual(['start 1'])
  // Call our handler directly: emitting the signal would also reach the test runner's own handlers.
  const ours = process.listeners('SIGTERM').at(-1) as (signal: NodeJS.Signals) => void
  ours('SIGTERM')
  await run
  expect(process.listenerCount('SIGTERM')).toBe(before.term)
  expect(process.listenerCount('SIGINT')).toBe(before.int)
}
