/**
 * Shared by the services' command lines: a typed table of settings → flags, environment variables, --help
 * and parsed values (fields.ts), and the start / run-until-signal / close life of a service (service.ts).
 * Imports nothing from the services.
 */
export { ConfigError, type Env, type Field, fieldHelp, parseDuration, parseFields, takeHelp } from './fields.ts'
export { type ServiceCommand, runService, untilSignal } from './service.ts'
