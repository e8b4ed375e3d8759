/** The top of a screen: its <h1> (focused after navigation, see Layout) and optional actions on the right. */
import type { ReactNode } from 'react'

export function ScreenHeader({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <div className="screen-header">
      <h1>{title}</h1>
      {children && <div className="screen-actions">{children}</div>}
    </div>
  )
}
