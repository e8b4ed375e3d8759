/**
 * The web app in real headless Chromium against `stratus dev` (stack.ts): two people sign up, Bob
 * follows Alice, Alice posts a picture with alt text, Bob sees it on his timeline and in the photo grid
 * and likes it, Alice sees the notification badge and the like, and a reload keeps her signed in. Every
 * step saves a screenshot under test-artifacts/web-e2e/ (gitignored).
 *
 * Needs /usr/bin/chromium (or $CHROMIUM_PATH): without it the suite is skipped with a message, unless CI is
 * set, where it fails instead.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { decodeCbor, readCar } from '@stratus/core/data'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM, chromiumAvailable, launchBrowser } from './browser.ts'
import { makePng } from './png.ts'
import { type TestStack, startStack } from './stack.ts'

const ARTIFACTS = new URL('../../../test-artifacts/web-e2e/', import.meta.url).pathname
const PASSWORD = 'correct horse battery'
const ALT = 'A blue and orange test pattern'
const TEXT = 'Hello from a real browser 👋 #stratus @bob.test'

const missing = chromiumAvailable() ? undefined : `Chromium at ${CHROMIUM}`
if (missing && process.env.CI) throw new Error(`web e2e needs ${missing} in CI`)
if (missing) console.warn(`[web e2e] SKIPPED: ${missing} not available`)

describe.skipIf(missing !== undefined)('web app in headless Chromium', () => {
  let stack: TestStack
  let web: { url: string }
  let browser: Browser
  let alice: Page
  let bob: Page
  const problems: string[] = []

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    ;[stack, browser] = await Promise.all([startStack(), launchBrowser()])
    web = { url: stack.webUrl }
    alice = await openPage(browser, problems)
    bob = await openPage(browser, problems)
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await stack?.close()
    if (problems.length) console.warn(`[web e2e] browser console:\n${problems.join('\n')}`)
  }, 60_000)

  const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: false })

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return
    const name = ctx.task.name.replace(/\W+/g, '-')
    await Promise.all([shot(alice, `FAILED-${name}-alice`), shot(bob, `FAILED-${name}-bob`)]).catch(() => {})
  })

  it('signs up two people', async () => {
    await signUp(alice, web.url, 'alice')
    await shot(alice, '01-alice-signed-up')
    await signUp(bob, web.url, 'bob')
    await shot(bob, '02-bob-signed-up')
    await stack.settle() // the AppView learns about both accounts
  }, 60_000)

  it('Bob follows Alice from her profile', async () => {
    await bob.goto(`${web.url}/profile/alice.test`)
    await bob.getByRole('button', { name: 'Follow alice.test' }).click()
    await bob.getByRole('button', { name: 'Unfollow alice.test' }).waitFor()
    expect(await bob.getByTestId('followers-count').textContent()).toBe('1')
    await shot(bob, '03-bob-follows-alice')
  }, 60_000)

  it('Alice posts a picture with alt text', async () => {
    await alice.getByRole('button', { name: 'New post' }).click()
    await alice.getByLabel('Post text').fill(TEXT)
    const png = makePng(96, 64, (x, y) => (x < 48 === y < 32 ? [29, 111, 216] : [255, 160, 32]))
    await alice.locator('input[type=file]').setInputFiles({ name: 'pattern.png', mimeType: 'image/png', buffer: png })
    await alice.getByLabel('Alt text for image 1').fill(ALT)
    await shot(alice, '04-alice-composes')
    await alice.getByRole('button', { name: 'Post', exact: true }).click()
    await alice.locator('dialog.composer-dialog').waitFor({ state: 'hidden' })
    await stack.settle()
  }, 60_000)

  it('Bob sees it on his home timeline, with facets and the image', async () => {
    await bob.goto(web.url)
    const post = bob.getByRole('article', { name: 'Post by alice.test' })
    await post.waitFor()
    // Facets: the byte offsets are right only if the emoji (4 UTF-8 bytes, 2 UTF-16 units) was counted in bytes.
    expect(await post.getByRole('link', { name: '#stratus' }).getAttribute('href')).toBe(
      '/search?q=%23stratus&tab=posts',
    )
    expect(await post.getByRole('link', { name: '@bob.test' }).getAttribute('href')).toMatch(/^\/profile\/did%3Aplc%3A/)
    await expectImageLoaded(post.getByRole('img', { name: ALT }))
    await shot(bob, '05-bob-timeline')
  }, 60_000)

  it('Bob sees it in the photo grid', async () => {
    await bob.getByRole('link', { name: 'Photos', exact: true }).click()
    await bob.getByRole('heading', { name: 'Photos', level: 1 }).waitFor()
    await expectImageLoaded(bob.getByRole('list', { name: 'Photo posts' }).getByRole('img', { name: ALT }))
    await shot(bob, '06-bob-photo-grid')
  }, 60_000)

  it('Bob likes it', async () => {
    await bob.getByRole('link', { name: 'Home', exact: true }).click()
    const post = bob.getByRole('article', { name: 'Post by alice.test' })
    await post.getByRole('button', { name: 'Like (0 likes)' }).click()
    const unlike = post.getByRole('button', { name: 'Unlike (1 likes)' })
    await unlike.waitFor()
    expect(await unlike.getAttribute('aria-pressed')).toBe('true')
    await shot(bob, '07-bob-liked')
    await stack.settle()
  }, 60_000)

  it('Alice sees the unread badge and the like notification', async () => {
    await alice.goto(web.url)
    // Bob's follow and Bob's like: two unread notifications.
    const bell = alice.getByRole('link', { name: 'Notifications, 2 unread' })
    await bell.waitFor()
    expect(await alice.getByTestId('unread-badge').textContent()).toBe('2')
    await alice.getByRole('article', { name: 'Post by alice.test' }).waitFor()
    await shot(alice, '08-alice-unread-badge')
    await bell.click()
    const list = alice.getByRole('list', { name: 'Notifications' })
    await list.getByText('liked your post').waitFor()
    await list.getByText('followed you').waitFor()
    // Opening the list marks everything seen.
    await alice.getByRole('link', { name: 'Notifications', exact: true }).waitFor()
    await shot(alice, '09-alice-notifications')
  }, 60_000)

  it('a reload keeps Alice signed in', async () => {
    await alice.reload()
    await alice.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor()
    expect(await alice.getByRole('heading', { name: 'Sign in' }).count()).toBe(0)
    await shot(alice, '10-alice-after-reload')
  }, 60_000)

  it('Alice downloads her repository as a CAR file', async () => {
    await alice.getByRole('link', { name: 'Your data', exact: true }).click()
    expect(await alice.getByTestId('data-did').textContent()).toMatch(/^did:plc:[a-z2-7]{24}$/)
    expect(await alice.getByTestId('data-pds').textContent()).toBe(stack.pdsUrl)
    const [download] = await Promise.all([
      alice.waitForEvent('download'),
      alice.getByRole('button', { name: 'Download repository (CAR)' }).click(),
    ])
    expect(download.suggestedFilename()).toMatch(/^alice\.test-\d{4}-\d{2}-\d{2}\.car$/)
    const car = readCar(new Uint8Array(readFileSync(await download.path())))
    expect(car.roots).toHaveLength(1)
    const records = [...car.blocks.values()].map((bytes) => decodeCbor(bytes) as { $type?: string; text?: string })
    expect(records.filter((r) => r.$type === 'app.bsky.feed.post').map((r) => r.text)).toEqual([TEXT])
    await shot(alice, '11-alice-your-data')
  }, 60_000)

  it('fits a phone screen', async () => {
    await bob.setViewportSize({ width: 390, height: 844 })
    await bob.goto(web.url)
    await bob.getByRole('article', { name: 'Post by alice.test' }).waitFor()
    const overflow = await bob.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await shot(bob, '12-bob-phone-timeline')
  }, 60_000)
})

async function openPage(browser: Browser, problems: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 820 }, acceptDownloads: true })
  const page = await context.newPage()
  page.setDefaultTimeout(20_000)
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`)
  })
  return page
}

async function signUp(page: Page, base: string, name: string): Promise<void> {
  await page.goto(`${base}/signup`)
  await page.getByLabel('Handle', { exact: true }).fill(name)
  await page.getByLabel('Email').fill(`${name}@example.com`)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign up' }).click()
  await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor()
}

async function expectImageLoaded(img: ReturnType<Page['locator']>): Promise<void> {
  await img.waitFor()
  await expect
    .poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0), { timeout: 15_000 })
    .toBe(true)
}
