/**
 * Runtime configuration: the server that serves the app injects `window.__STRATUS__ = { pdsUrl }`
 * (apps/web/serve.ts). Without it (a bare `vite` run) the app assumes `stratus dev`'s default PDS port
 * on the same host. Nothing here is secret: it is all visible to the browser anyway.
 */
declare global {
  interface Window {
    __STRATUS__?: { pdsUrl?: string }
  }
}

/** `stratus dev` puts the PDS at port N+3 with N = 2580 by default. */
const DEFAULT_PDS_PORT = 2583

export function configuredPdsUrl(): string {
  const injected = window.__STRATUS__?.pdsUrl
  if (injected) return injected.replace(/\/$/, '')
  return `${location.protocol}//${location.hostname}:${DEFAULT_PDS_PORT}`
}
