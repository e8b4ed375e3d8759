/**
 * Tiny benchmark harness: time a function for a fixed wall-clock budget and print ours vs
 * reference implementations as ops/s and ratios. Used by every `*.bench.ts`; never by tests.
 */
export interface Measured {
  name: string
  opsPerSec: number
  /** Mean microseconds per operation. */
  usPerOp: number
}

/** Runs `fn` repeatedly (sync or async) for about `ms` after a short warm-up. */
export async function measure(name: string, fn: () => unknown, ms = 1000): Promise<Measured> {
  const warmEnd = performance.now() + Math.min(200, ms / 4)
  while (performance.now() < warmEnd) await fn()
  let n = 0
  const start = performance.now()
  const end = start + ms
  while (performance.now() < end) {
    const r = fn()
    if (r instanceof Promise) await r
    n++
  }
  const elapsed = performance.now() - start
  return { name, opsPerSec: (n * 1000) / elapsed, usPerOp: (elapsed * 1000) / n }
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2))

/** Prints one comparison: the first entry is ours, the rest are references; ratio = ours / theirs. */
export function printComparison(title: string, rows: Measured[]): void {
  const [ours, ...refs] = rows
  const lines = [`  ${title}`]
  lines.push(
    `    ${ours.name.padEnd(28)} ${fmt(ours.opsPerSec).padStart(12)} ops/s  ${fmt(ours.usPerOp).padStart(9)} µs/op`,
  )
  for (const r of refs) {
    const ratio = ours.opsPerSec / r.opsPerSec
    lines.push(
      `    ${r.name.padEnd(28)} ${fmt(r.opsPerSec).padStart(12)} ops/s  ${fmt(r.usPerOp).padStart(9)} µs/op   ours ×${ratio.toFixed(2)}`,
    )
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}

/** Prints a free-form table of rows (for benchmarks that are not ops/s, e.g. seconds or MB/s). */
export function printTable(title: string, header: string[], rows: (string | number)[][]): void {
  const all = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))]
  const widths = header.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)))
  process.stdout.write(`  ${title}\n`)
  for (const r of all) process.stdout.write(`    ${r.map((c, i) => String(c).padEnd(widths[i])).join('  ')}\n`)
}
