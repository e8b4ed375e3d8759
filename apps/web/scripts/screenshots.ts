/**
 * Regenerates the README screenshots in apps/web/docs/: starts the test network (test/stack.ts: `stratus dev`
 * on a temporary directory), seeds demo content, serves the app and photographs the main screens in headless
 * Chromium.
 *   npx tsx apps/web/scripts/screenshots.ts
 */
import { mkdirSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { startWebServer } from '../serve.ts'
import { launchBrowser } from '../test/browser.ts'
import { startStack } from '../test/stack.ts'
import { DEMO_PASSWORD, seedDemo } from './seed.ts'

const OUT = new URL('../docs/', import.meta.url).pathname

const stack = await startStack()
const web = await startWebServer({ pdsUrl: stack.pdsUrl, port: 0 })
const browser = await launchBrowser()
try {
  await seedDemo(stack.pdsUrl)
  await stack.settle()
  mkdirSync(OUT, { recursive: true })
  const desktop = await browser.newContext({ viewport: { width: 1180, height: 860 }, colorScheme: 'light' })
  const bob = await signIn(await desktop.newPage(), 'bob')
  await bob.getByRole('article').first().waitFor()
  await settleImages(bob)
  await bob.screenshot({ path: `${OUT}timeline.png` })
  await bob.getByRole('link', { name: 'Photos', exact: true }).click()
  await bob.getByRole('list', { name: 'Photo posts' }).getByRole('img').first().waitFor()
  await settleImages(bob)
  await bob.screenshot({ path: `${OUT}photo-grid.png` })
  await bob.goto(`${web.url}/profile/alice.test`)
  await bob.getByRole('article').first().waitFor()
  await settleImages(bob)
  await bob.screenshot({ path: `${OUT}profile.png` })

  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    colorScheme: 'dark',
  })
  const alice = await signIn(await phone.newPage(), 'alice')
  await alice.getByRole('link', { name: /^Notifications/ }).click()
  await alice.getByRole('list', { name: 'Notifications' }).getByRole('listitem').first().waitFor()
  await settleImages(alice)
  await alice.screenshot({ path: `${OUT}notifications-phone.png` })
  process.stdout.write(`screenshots written to ${OUT}\n`)
} finally {
  await browser.close()
  await web.close()
  await stack.close()
}

async function signIn(page: Page, name: string): Promise<Page> {
  await page.goto(web.url)
  await page.getByLabel('Handle or email').fill(`${name}.test`)
  await page.getByLabel('Password').fill(DEMO_PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor()
  return page
}

/** Waits until the images in view have loaded (the AppView resizes thumbnails on first request). */
async function settleImages(page: Page): Promise<void> {
  const visibleLoaded = () =>
    [...document.images]
      .filter((img) => img.getBoundingClientRect().top < window.innerHeight)
      .every((img) => img.complete && img.naturalWidth > 0)
  await page.mouse.move(0, 0) // no hover highlight in the picture
  await page.waitForFunction(visibleLoaded, undefined, { timeout: 30_000 })
  await page.waitForTimeout(300)
}
