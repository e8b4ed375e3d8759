/**
 * k256 and p256 key pairs: create or import a private key, get the did:key, sign. Signatures are ECDSA over
 * sha-256(msg), compact 64-byte r||s, always low-S. The private key is kept only if `exportable` is set.
 */
import { fromHex, toHex } from '../bytes/index.ts'
import { randomBytes } from '#platform/crypto'
import { type CurveBackend, backendFor } from './backend.ts'
import { type CurveInfo, type JwtAlg, K256, P256, ensurePrivateKey, isScalar } from './curves.ts'
import { formatTrustedDidKey } from './did-key.ts'
import { CryptoError, InvalidKeyError } from './errors.ts'
import { makeLowS } from './signature.ts'

export interface Keypair {
  readonly jwtAlg: JwtAlg
  /** The public key as `did:key:z…`. */
  did(): string
  /** Compressed 33-byte public key. */
  publicKeyBytes(): Uint8Array
  /** ECDSA over sha-256(msg): compact 64-byte r||s, low-S. */
  sign(msg: Uint8Array): Uint8Array
  exportPrivateKey?(): Uint8Array
}

export interface KeypairOptions {
  /** Keep the private key so that exportPrivateKey() works. Default false. */
  exportable?: boolean
}

/** A key pair on either curve, over an explicit backend (the two named classes use the platform's). */
export class EcKeypair implements Keypair {
  readonly jwtAlg: JwtAlg
  readonly #curve: CurveInfo
  readonly #backend: CurveBackend
  readonly #key: unknown
  readonly #exported: Uint8Array | null
  readonly #pub: Uint8Array
  #did: string | undefined

  constructor(curve: CurveInfo, priv: Uint8Array, opts: KeypairOptions = {}, backend = backendFor(curve)) {
    ensurePrivateKey(priv, curve)
    this.jwtAlg = curve.jwtAlg
    this.#curve = curve
    this.#backend = backend
    this.#key = backend.importPrivateKey(priv)
    this.#pub = backend.publicKey(priv)
    this.#exported = opts.exportable ? priv.slice() : null
  }

  did(): string {
    this.#did ??= formatTrustedDidKey(this.#curve, this.#pub)
    return this.#did
  }

  publicKeyBytes(): Uint8Array {
    return this.#pub.slice()
  }

  sign(msg: Uint8Array): Uint8Array {
    if (!(msg instanceof Uint8Array)) throw new TypeError('message must be a Uint8Array')
    return makeLowS(this.#backend.sign(this.#key, msg), this.#curve)
  }

  /** The 32-byte private key; throws unless created with `exportable: true`. */
  exportPrivateKey(): Uint8Array {
    if (this.#exported === null) throw new CryptoError('private key is not exportable')
    return this.#exported.slice()
  }

  exportPrivateKeyHex(): string {
    return toHex(this.exportPrivateKey())
  }
}

export class Secp256k1Keypair extends EcKeypair {
  declare readonly jwtAlg: 'ES256K'

  private constructor(priv: Uint8Array, opts?: KeypairOptions) {
    super(K256, priv, opts)
  }

  static create(opts?: KeypairOptions): Secp256k1Keypair {
    return new Secp256k1Keypair(randomPrivateKey(K256), opts)
  }

  /** Imports a 32-byte private key given as bytes or hex. */
  static import(priv: Uint8Array | string, opts?: KeypairOptions): Secp256k1Keypair {
    return new Secp256k1Keypair(privateKeyBytes(priv), opts)
  }
}

export class P256Keypair extends EcKeypair {
  declare readonly jwtAlg: 'ES256'

  private constructor(priv: Uint8Array, opts?: KeypairOptions) {
    super(P256, priv, opts)
  }

  static create(opts?: KeypairOptions): P256Keypair {
    return new P256Keypair(randomPrivateKey(P256), opts)
  }

  /** Imports a 32-byte private key given as bytes or hex. */
  static import(priv: Uint8Array | string, opts?: KeypairOptions): P256Keypair {
    return new P256Keypair(privateKeyBytes(priv), opts)
  }
}

/** A uniformly random scalar in [1, n-1] (rejection sampling; a retry is astronomically rare). */
export function randomPrivateKey(c: CurveInfo): Uint8Array {
  for (;;) {
    const d = randomBytes(32)
    if (isScalar(d, 0, c)) return d
  }
}

function privateKeyBytes(priv: Uint8Array | string): Uint8Array {
  if (priv instanceof Uint8Array) return priv.slice()
  if (typeof priv !== 'string') throw new InvalidKeyError('private key must be bytes or a hex string')
  try {
    return fromHex(priv)
  } catch {
    throw new InvalidKeyError('private key is not valid hex')
  }
}
