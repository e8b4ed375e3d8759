/**
 * Headless Debian Chromium through playwright-core (never a downloaded browser): `/usr/bin/chromium`, or
 * $CHROMIUM_PATH. Playwright gives each launch a fresh temporary profile (it refuses --user-data-dir in
 * `args` and deletes the profile on close), so no state leaks between runs.
 */
import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM)
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS })
}
