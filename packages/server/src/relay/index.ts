/**
 * The relay: subscribes to PDS hosts, verifies every event (identity, host, signature, rev order, sync 1.1
 * proof, account status, limits), and re-emits what passes as one firehose with its own sequence numbers,
 * replayable for a retention window, plus a Jetstream-style JSON stream. Non-archival: it keeps each
 * account's latest verified state, not repositories.
 *
 *   const relay = await startRelay({ port: 2470, dataDir, seedHosts: ['pds.example.com'] })
 *   relay.url   // http://…;  relay.close()
 *
 * See app.ts for the wiring and each folder's files for what they check: hosts/ (crawl targets, limits,
 * connections), ingest/ (pipeline, verification workers, state checks, resync), log/ (the on-disk event
 * log), output/ (sequencer, firehose, Jetstream), state/ (account state), api/ (XRPC + admin), db/.
 */
export { startRelay, RELAY_VERSION, type Relay, type RelayOptions } from './app.ts'
export { relayCommand, RELAY_USAGE } from './cli.ts'
export {
  type RelayConfig,
  type RelayConfigInput,
  resolveRelayConfig,
  readRelayConfig,
  relayConfigHelp,
  parseDuration,
  ConfigError,
} from './config.ts'
export type { RelayContext } from './context.ts'
export { DEFAULT_HOST_LIMITS, type HostLimitConfig, hostAccountLimit, hostEventRate } from './hosts/limits.ts'
export { normalizeHostname, HostnameError } from './hosts/hostname.ts'
export { jetstreamMessages } from './output/jetstream.ts'
