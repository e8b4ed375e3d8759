/**
 * XRPC query parameters on a URL: arrays become repeated keys, booleans 'true'/'false', Dates ISO strings,
 * other values their string form (CIDs included); undefined and null are left out.
 */
export type QueryParams = Record<string, unknown>

export function appendParams(url: URL, params: QueryParams | undefined): URL {
  if (!params) return url
  for (const [key, value] of Object.entries(params)) {
    if (Array.isArray(value)) {
      for (const v of value) if (v !== undefined && v !== null) url.searchParams.append(key, paramString(v))
    } else if (value !== undefined && value !== null) {
      url.searchParams.append(key, paramString(value))
    }
  }
  return url
}

function paramString(v: unknown): string {
  if (v instanceof Date) return v.toISOString()
  return String(v)
}
