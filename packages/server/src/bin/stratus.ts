#!/usr/bin/env -S npx tsx
/**
 * The `stratus` command line: one entry point for every service and operator task.
 * Each subcommand lives in its own module and is imported only when used, so `stratus plc`
 * never loads the AppView.
 */
type Command = { summary: string; run: (argv: string[]) => Promise<void> }

const commands: Record<string, Command> = {
  dev: {
    summary: 'the whole local network: PLC, PDS, relay, AppView and the web app (npm start)',
    run: async (argv) => (await import('../dev/cli.ts')).devCommand(argv),
  },
  plc: {
    summary: 'run a did:plc directory (SQLite or PostgreSQL)',
    run: async (argv) => void (await (await import('../plc/cli.ts')).plcCommand(argv)),
  },
  relay: {
    summary: 'run a relay: one verified, merged firehose from many PDSes',
    run: async (argv) => (await import('../relay/cli.ts')).relayCommand(argv),
  },
  appview: {
    summary: 'run an AppView: timelines, threads, profiles and notifications from a firehose',
    run: async (argv) => (await import('../appview/cli.ts')).appviewCommand(argv),
  },
  pds: {
    summary: 'run a Personal Data Server',
    run: async (argv) => (await import('../pds/cli.ts')).pdsCommand(argv),
  },
  account: {
    summary: 'operator tasks on a PDS data dir: create | list',
    run: async (argv) => (await import('../pds/cli.ts')).accountCommand(argv),
  },
  lexgen: {
    summary: 'regenerate TypeScript types from lexicons/ into packages/core/src/lexicon/generated',
    run: async (argv) => (await import('./lexgen.ts')).run(argv),
  },
}

export function usage(): string {
  const lines = ['Usage: stratus <command> [options]', '', 'Commands:']
  for (const [name, cmd] of Object.entries(commands)) lines.push(`  ${name.padEnd(10)} ${cmd.summary}`)
  lines.push('', 'Run `stratus <command> --help` for the options of one command.')
  return lines.join('\n')
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv
  const cmd = name ? commands[name] : undefined
  if (!cmd) {
    process.stdout.write(`${usage()}\n`)
    if (name && name !== 'help' && name !== '--help') {
      process.stderr.write(`\nunknown command: ${name}\n`)
      process.exitCode = 2
    }
    return
  }
  await cmd.run(rest)
}

await main(process.argv.slice(2))
