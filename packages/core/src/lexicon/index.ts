/**
 * Lexicon: schema documents (parse + check), value validation compiled once per definition
 * (records, XRPC params/input/output, subscription messages), TypeScript codegen, and resolution
 * of published schemas (NSID → DNS `_lexicon` → DID → `com.atproto.lexicon.schema` record).
 * Values are data-model values (see data/); formats are checked by syntax/. Does NOT check that
 * blobs exist, that DIDs/handles resolve, or anything an application decides about valid data.
 */
export { LexiconDocError, LexiconValidationError, LexiconNotFoundError, type ValidationResult } from './errors.ts'
export { parseLexiconDoc } from './doc-parse.ts'
export { Lexicons } from './lexicons.ts'
export type { RawParams } from './params.ts'
export type * from './types.ts'
export { generateLexiconTypes, type GeneratedFile } from './codegen/index.ts'
export {
  resolveLexicon,
  resolveLexiconAuthority,
  lexiconAuthorityDomain,
  LexiconResolutionError,
  type LexiconResolverOptions,
  type ResolvedLexicon,
} from './resolve.ts'
