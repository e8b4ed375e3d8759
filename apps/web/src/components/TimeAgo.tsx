/** "5m", "3h", "Jan 4" for a datetime, with the full date and time on hover and for screen readers. */
export function TimeAgo({ iso }: { iso: string }) {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return null
  const full = date.toLocaleString()
  return (
    <time dateTime={date.toISOString()} title={full}>
      <span aria-hidden="true">{short(date)}</span>
      <span className="visually-hidden">{full}</span>
    </time>
  )
}

function short(date: Date): string {
  const seconds = Math.max(0, (Date.now() - date.getTime()) / 1000)
  if (seconds < 60) return 'now'
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`
  if (seconds < 7 * 86400) return `${Math.floor(seconds / 86400)}d`
  const sameYear = date.getFullYear() === new Date().getFullYear()
  return date.toLocaleDateString(undefined, { month: 'short', day: 'numeric', year: sameYear ? undefined : 'numeric' })
}
