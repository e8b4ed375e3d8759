/** A round avatar image, or the first letter of the name when there is none. Decorative: the name is always next to it. */
export function Avatar({ src, name, size = 44 }: { src?: string; name: string; size?: number }) {
  const style = { width: size, height: size }
  if (src) return <img className="avatar" src={src} alt="" style={style} loading="lazy" />
  const letter = [...(name.replace(/^@/, '') || '?')][0].toUpperCase()
  return (
    <span className="avatar avatar-fallback" style={{ ...style, fontSize: size * 0.45 }} aria-hidden="true">
      {letter}
    </span>
  )
}
