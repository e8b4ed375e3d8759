/**
 * Test helper run as a child process by crash.test.ts (`npx tsx test-crash-child.ts <dataDir> <plcUrl>`):
 * starts a PDS on the given data directory and prints `{"url": …, "pid": …}` on one line (npx runs the PDS in a grandchild: the pid is the process to kill) once it listens. The test
 * kills it with SIGKILL; nothing here shuts down cleanly on purpose.
 */
import { createPds } from '../app.ts'

const [dataDir, plcUrl] = process.argv.slice(2)
if (!dataDir || !plcUrl) throw new Error('usage: test-crash-child.ts <dataDir> <plcUrl>')
const pds = await createPds({
  hostname: 'localhost',
  port: 0,
  devMode: true,
  logLevel: 'silent',
  plcUrl,
  dataDir,
  rateLimits: false,
})
await pds.start()
process.stdout.write(`${JSON.stringify({ url: pds.url, pid: process.pid })}\n`)
