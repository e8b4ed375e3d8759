/**
 * Copy-on-write edits of MST nodes. Each function takes a node (loaded on demand from the store) and
 * returns a new node, sharing every untouched subtree and returning the very same object when nothing
 * changed, so unchanged subtrees keep their CIDs and are never re-hashed.
 *
 * These functions trust the tree they are given to be well formed (heights, ordering); they are also used
 * on partial trees (sync 1.1 inversion), where a missing node surfaces as MissingBlockError.
 */
import type { CID } from '../data/index.ts'
import type { ReadableBlockStore } from './blockstore.ts'
import { KeyExistsError, KeyNotFoundError } from './errors.ts'
import { MstNode, searchKeys } from './node.ts'

function insertAt<T>(arr: readonly T[], i: number, v: T): T[] {
  const out = arr.slice(0, i)
  out.push(v)
  for (let j = i; j < arr.length; j++) out.push(arr[j])
  return out
}

function removeAt<T>(arr: readonly T[], i: number): T[] {
  const out = arr.slice(0, i)
  for (let j = i + 1; j < arr.length; j++) out.push(arr[j])
  return out
}

function withSub(node: MstNode, i: number, child: MstNode | null): MstNode {
  if (node.subs[i] === child) return node
  const subs = node.subs.slice()
  subs[i] = child
  return MstNode.build(node.height, node.keys as string[], node.vals, subs)
}

function nullIfEmpty(node: MstNode): MstNode | null {
  return (node.keys as string[]).length === 0 && node.subs[0] === null ? null : node
}

/** A fresh path from `height` down to a one-key node at `keyHeight`. */
export function chainTo(height: number, key: string, keyHeight: number, val: CID): MstNode {
  let node = MstNode.build(keyHeight, [key], [val], [null, null])
  for (let h = keyHeight + 1; h <= height; h++) node = MstNode.build(h, [], [], [node])
  return node
}

/** Adds key (whose height is <= node.height). Throws KeyExistsError. */
export function insertInto(node: MstNode, key: string, kh: number, val: CID, store: ReadableBlockStore): MstNode {
  const keys = node.load(store).keys as string[]
  const i = searchKeys(keys, key)
  if (i < keys.length && keys[i] === key) throw new KeyExistsError(key)
  if (kh === node.height) {
    const [l, r] = splitAround(node.subs[i], key, store)
    const subs = node.subs.slice(0, i)
    subs.push(l, r)
    for (let j = i + 1; j < node.subs.length; j++) subs.push(node.subs[j])
    return MstNode.build(node.height, insertAt(keys, i, key), insertAt(node.vals, i, val), subs)
  }
  const child = node.subs[i]
  const next = child ? insertInto(child, key, kh, val, store) : chainTo(node.height - 1, key, kh, val)
  return withSub(node, i, next)
}

/** Splits a subtree into the parts below and above key (key itself must not be in it). */
export function splitAround(
  node: MstNode | null,
  key: string,
  store: ReadableBlockStore,
): [MstNode | null, MstNode | null] {
  if (node === null) return [null, null]
  const keys = node.load(store).keys as string[]
  const i = searchKeys(keys, key)
  const mid = node.subs[i]
  const [l, r] = splitAround(mid, key, store)
  let left: MstNode | null
  let right: MstNode | null
  if (i === keys.length && l === mid) left = node
  else {
    const subs = node.subs.slice(0, i)
    subs.push(l)
    left = nullIfEmpty(MstNode.build(node.height, keys.slice(0, i), node.vals.slice(0, i), subs))
  }
  if (i === 0 && r === mid) right = node
  else {
    const subs: (MstNode | null)[] = [r]
    for (let j = i + 1; j < node.subs.length; j++) subs.push(node.subs[j])
    right = nullIfEmpty(MstNode.build(node.height, keys.slice(i), node.vals.slice(i), subs))
  }
  return [left, right]
}

/** Replaces the value of an existing key. Throws KeyNotFoundError. */
export function replaceIn(node: MstNode, key: string, val: CID, store: ReadableBlockStore): MstNode {
  const keys = node.load(store).keys as string[]
  const i = searchKeys(keys, key)
  if (i < keys.length && keys[i] === key) {
    if (node.vals[i].equals(val)) return node
    const vals = node.vals.slice()
    vals[i] = val
    return MstNode.build(node.height, keys, vals, node.subs)
  }
  const child = node.subs[i]
  if (!child) throw new KeyNotFoundError(key)
  return withSub(node, i, replaceIn(child, key, val, store))
}

/** Removes key; returns null when the node ends up with nothing in it. Throws KeyNotFoundError. */
export function removeFrom(node: MstNode, key: string, store: ReadableBlockStore): MstNode | null {
  const keys = node.load(store).keys as string[]
  const i = searchKeys(keys, key)
  if (i < keys.length && keys[i] === key) {
    const merged = mergeNodes(node.subs[i], node.subs[i + 1], store)
    const subs = node.subs.slice(0, i)
    subs.push(merged)
    for (let j = i + 2; j < node.subs.length; j++) subs.push(node.subs[j])
    return nullIfEmpty(MstNode.build(node.height, removeAt(keys, i), removeAt(node.vals, i), subs))
  }
  const child = node.subs[i]
  if (!child) throw new KeyNotFoundError(key)
  return nullIfEmpty(withSub(node, i, removeFrom(child, key, store)))
}

/** Joins two neighbouring subtrees of the same height (every key of a below every key of b). */
export function mergeNodes(a: MstNode | null, b: MstNode | null, store: ReadableBlockStore): MstNode | null {
  if (a === null) return b
  if (b === null) return a
  const ak = a.load(store).keys as string[]
  const bk = b.load(store).keys as string[]
  const last = a.subs.length - 1
  const mid = mergeNodes(a.subs[last], b.subs[0], store)
  const subs = a.subs.slice(0, last)
  subs.push(mid)
  for (let j = 1; j < b.subs.length; j++) subs.push(b.subs[j])
  return MstNode.build(a.height, ak.concat(bk), a.vals.concat(b.vals), subs)
}
