/**
 * Enforces the dependency direction in DESIGN.md by reading every import in the source tree.
 * core: bytes <- syntax, data, crypto <- lexicon, repo, plc <- identity, xrpc <- sync; core is browser-safe.
 * server: services (plc, pds, relay, appview) never import each other; shared modules (http, db, config, …)
 * never import a service; dev and bin may import everything.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'generated') continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* sourceFiles(path)
    else if (/\.tsx?$/.test(name)) yield path
  }
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specs: string[] = []
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"`;]*?from\s+['"]([^'"]+)['"]/g)) specs.push(m[1])
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1])
  return specs
}

/** Which top-level module folder (e.g. 'core/data', 'server/pds') an absolute path belongs to. */
function moduleOf(path: string): string | null {
  const rel = relative(root, path).split('\\').join('/')
  const m = rel.match(/^packages\/(core|server)\/src\/([^/]+)/)
  if (m) return `${m[1]}/${m[2].replace(/\.tsx?$/, '')}`
  if (rel.startsWith('apps/web/')) return 'web'
  return null
}

/** The module an import specifier targets, or null for third-party packages. */
function targetOf(file: string, spec: string): string | null {
  if (spec.startsWith('.')) return moduleOf(resolve(dirname(file), spec))
  const m = spec.match(/^@stratus\/(core|server)\/([^/]+)/)
  if (m) return `${m[1]}/${m[2]}`
  if (spec.startsWith('#platform/')) return 'core/platform'
  return null
}

// What each core module may import (besides itself). platform is the Node/browser split below everything.
const CORE_ALLOWED: Record<string, string[]> = {
  platform: [],
  bytes: ['platform'],
  syntax: ['bytes', 'platform'],
  data: ['bytes', 'platform'],
  crypto: ['bytes', 'platform'],
  lexicon: ['bytes', 'syntax', 'data', 'platform'],
  repo: ['bytes', 'syntax', 'data', 'crypto', 'platform'],
  plc: ['bytes', 'syntax', 'data', 'crypto', 'platform'],
  identity: ['bytes', 'syntax', 'data', 'crypto', 'plc', 'platform'],
  xrpc: ['bytes', 'syntax', 'data', 'crypto', 'lexicon', 'platform'],
  sync: ['bytes', 'syntax', 'data', 'crypto', 'lexicon', 'repo', 'plc', 'identity', 'xrpc', 'platform'],
}
const SERVICES = ['plc', 'pds', 'relay', 'appview']
const NODE_BUILTINS = /^(node:|fs$|path$|http$|https$|net$|crypto$|os$|child_process$|worker_threads$|stream$)/

function violation(file: string, spec: string): string | null {
  const from = moduleOf(file)
  if (!from) return null
  const to = targetOf(file, spec)
  const [pkg, name] = from.split('/')
  if (from === 'web') {
    // The browser test (apps/web/test) runs the whole network, as `stratus dev` does.
    if (to === 'server/dev' && file.includes('/apps/web/test/')) return null
    if (to && to !== 'web' && !to.startsWith('core/')) return `web may import core only, not ${to}`
    // apps/web/src runs in the browser; files beside it (the Vite serve helper) run on Node.
    if (NODE_BUILTINS.test(spec) && file.includes('/apps/web/src/')) return 'web must not import Node built-ins'
    return null
  }
  if (pkg === 'core') {
    const isTest = /\.test\.tsx?$/.test(file) // tests run on Node only
    if (NODE_BUILTINS.test(spec) && name !== 'platform' && !isTest) return 'core must be browser-safe: use #platform/*'
    if (name === 'platform' && file.includes('/platform/browser/') && NODE_BUILTINS.test(spec)) {
      return 'browser platform files must not import Node built-ins'
    }
    if (!to || to === from) return null
    if (!to.startsWith('core/')) return `core may not import ${to}`
    const allowed = CORE_ALLOWED[name]
    if (!allowed) return `core module ${name} is not in the dependency map (add it to DESIGN.md and this test)`
    return allowed.includes(to.slice(5)) ? null : `core/${name} may not import ${to}`
  }
  if (!to || to === from || to.startsWith('core/')) return null
  if (name === 'dev' || name === 'bin') return null
  if (SERVICES.includes(name) && to.startsWith('server/') && SERVICES.includes(to.slice(7))) {
    return `service ${name} may not import service ${to.slice(7)}`
  }
  if (!SERVICES.includes(name) && to.startsWith('server/') && (SERVICES.includes(to.slice(7)) || to === 'server/dev')) {
    return `shared server module ${name} may not import ${to}`
  }
  return null
}

describe('dependency direction (DESIGN.md)', () => {
  const files = [
    ...sourceFiles(join(root, 'packages/core/src')),
    ...sourceFiles(join(root, 'packages/server/src')),
    ...(statSync(join(root, 'apps/web'), { throwIfNoEntry: false }) ? sourceFiles(join(root, 'apps/web')) : []),
  ]

  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(5)
  })

  it('every import respects the layering', () => {
    const problems: string[] = []
    for (const file of files) {
      for (const spec of importsOf(file)) {
        const v = violation(file, spec)
        if (v) problems.push(`${relative(root, file)} imports '${spec}': ${v}`)
      }
    }
    expect(problems).toEqual([])
  })

  it('the checker catches violations', () => {
    const f = (p: string) => join(root, p)
    expect(violation(f('packages/core/src/data/cbor.ts'), '../repo/index.ts')).toMatch(/may not import/)
    expect(violation(f('packages/core/src/data/cbor.ts'), 'node:fs')).toMatch(/browser-safe/)
    expect(violation(f('packages/server/src/pds/x.ts'), '../relay/index.ts')).toMatch(/service pds/)
    expect(violation(f('packages/server/src/http/x.ts'), '@stratus/server/pds')).toMatch(/may not import/)
    expect(violation(f('packages/server/src/config/x.ts'), '../relay/config.ts')).toMatch(/shared server module config/)
    expect(violation(f('packages/server/src/relay/config.ts'), '../config/index.ts')).toBeNull()
    expect(violation(f('packages/server/src/dev/x.ts'), '../pds/index.ts')).toBeNull()
    expect(violation(f('packages/core/src/repo/mst.ts'), '../data/index.ts')).toBeNull()
    expect(violation(f('apps/web/src/app.tsx'), 'node:fs')).toMatch(/Node built-ins/)
    expect(violation(f('apps/web/src/app.tsx'), '../../../packages/server/src/pds/index.ts')).toMatch(/core only/)
    expect(violation(f('apps/web/src/app.tsx'), './hooks.ts')).toBeNull()
    expect(violation(f('apps/web/test/stack.ts'), '../../../packages/server/src/dev/index.ts')).toBeNull()
    expect(violation(f('apps/web/src/app.tsx'), '../../../packages/server/src/dev/index.ts')).toMatch(/core only/)
    expect(violation(f('apps/web/test/stack.ts'), '../../../packages/server/src/pds/index.ts')).toMatch(/core only/)
  })
})
