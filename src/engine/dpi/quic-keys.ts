/**
 * QUIC Initial packet protection keys (RFC 9001 §5.2 for v1, RFC 9369 §3.3 for v2, and the IETF drafts 27–34 and
 * Facebook's mvfst versions still seen in captures, which differ from v1 only by their salt): HKDF-Extract of the client's
 * first Destination Connection ID with a version-specific salt, then HKDF-Expand-Label (RFC 8446 §7.1) for the
 * client secret, AEAD key, IV and header protection key. Everything here is public by design: Initial packets are
 * only obfuscated, which is what lets a passive observer read the ClientHello.
 */
import type * as NodeCrypto from 'node:crypto';

let cryptoModule: typeof NodeCrypto | null = null;

/** node:crypto, loaded on first use: most captures hold no QUIC Initial, and loading it is a cost of every start. */
export function nodeCrypto(): typeof NodeCrypto {
  return (cryptoModule ??= process.getBuiltinModule('node:crypto'));
}

export const QUIC_V1 = 0x00000001;
export const QUIC_V2 = 0x6b3343cf;

interface VersionParams {
  salt: Buffer;
  keyLabel: string;
  ivLabel: string;
  hpLabel: string;
  /** Long-header packet type bits ((first >> 4) & 3) of an Initial packet, and of a Retry. */
  initialType: number;
  retryType: number;
}

/** Draft versions are 0xff0000NN for draft NN. */
export const QUIC_DRAFT_27 = 0xff00001b;
export const QUIC_DRAFT_29 = 0xff00001d;
export const QUIC_DRAFT_34 = 0xff000022;
/**
 * mvfst's own version numbers (its QuicVersion enum): MVFST, its aliases and experiments take the draft-23 salt
 * (mvfst's default), its v1 alias the v1 salt. Other 0xfaceb0xx numbers are not guessed at.
 */
export const MVFST = 0xfaceb002;
export const MVFST_V1_ALIAS = 0xfaceb003;
const MVFST_DRAFT23_SALTED = [MVFST, 0xfaceb00e, 0xfaceb010, 0xfaceb011, 0xfaceb013];

function v1Like(saltHex: string): VersionParams {
  return { salt: Buffer.from(saltHex, 'hex'), keyLabel: 'quic key', ivLabel: 'quic iv', hpLabel: 'quic hp', initialType: 0, retryType: 3 };
}

/** RFC 9001 §5.2, also used by drafts 33 and 34. */
const V1 = v1Like('38762cf7f55934b34d179ae6a4c80cadccbb7f0a');
const V2: VersionParams = {
  salt: Buffer.from('0dede3def700a6db819381be6e269dcbf9bd2ed9', 'hex'),
  keyLabel: 'quicv2 key', ivLabel: 'quicv2 iv', hpLabel: 'quicv2 hp', initialType: 1, retryType: 0,
};
/** draft-ietf-quic-tls-23 §5.2 (drafts 23–28), and mvfst's versions other than its v1 alias. */
const DRAFT_23 = v1Like('c3eef712c72ebb5a11a7d2432bb46365bef9f502');
/** draft-ietf-quic-tls-29 §5.2 (drafts 29–32). */
const DRAFT_29 = v1Like('afbfec289993d24c9e9786f19c6111e04390a899');

export function versionParams(version: number): VersionParams | null {
  if (version === QUIC_V1) return V1;
  if (version === QUIC_V2) return V2;
  if (version >= QUIC_DRAFT_27 && version <= QUIC_DRAFT_34) return version < QUIC_DRAFT_29 ? DRAFT_23 : version < 0xff000021 ? DRAFT_29 : V1;
  if (version >>> 8 === 0xfaceb0) {
    if (version === MVFST_V1_ALIAS) return V1;
    if (MVFST_DRAFT23_SALTED.includes(version)) return DRAFT_23;
  }
  return null;
}

export function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Buffer {
  return nodeCrypto().createHmac('sha256', salt).update(ikm).digest();
}

/** HKDF-Expand-Label with an empty context; length ≤ 32 needs a single HMAC block. */
export function hkdfExpandLabel(secret: Uint8Array, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.alloc(2 + 1 + full.length + 1 + 1);
  info.writeUInt16BE(length, 0);
  info[2] = full.length;
  full.copy(info, 3);
  info[3 + full.length] = 0; // context length
  info[4 + full.length] = 1; // HKDF-Expand block counter
  return nodeCrypto().createHmac('sha256', secret).update(info).digest().subarray(0, length);
}

export interface InitialKeys {
  initialSecret: Buffer;
  clientSecret: Buffer;
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
}

/** Client Initial keys for `version` (any versionParams knows) and the client's original Destination Connection ID. */
export function clientInitialKeys(version: number, dcid: Uint8Array): InitialKeys | null {
  const v = versionParams(version);
  if (!v) return null;
  const initialSecret = hkdfExtract(v.salt, dcid);
  const clientSecret = hkdfExpandLabel(initialSecret, 'client in', 32);
  return {
    initialSecret,
    clientSecret,
    key: hkdfExpandLabel(clientSecret, v.keyLabel, 16),
    iv: hkdfExpandLabel(clientSecret, v.ivLabel, 12),
    hp: hkdfExpandLabel(clientSecret, v.hpLabel, 16),
  };
}
