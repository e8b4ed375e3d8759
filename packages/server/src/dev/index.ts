/** The whole network in one process: `stratus dev` and the cross-service test network. */
export { startDevNetwork, wellKnownHandleResolver, DEFAULT_PORT_BASE, DEV_HANDLE_DOMAIN, type DevNetwork, type DevNetworkOptions } from './network.ts'
export { freePortBase } from './ports.ts'
export { devCommand, parseDevArgs, DEV_USAGE } from './cli.ts'
