/**
 * QUIC Initial packet protection keys (RFC 9001 §5.2 for v1, RFC 9369 §3.3 for v2): HKDF-Extract of the client's
 * first Destination Connection ID with a version-specific salt, then HKDF-Expand-Label (RFC 8446 §7.1) for the
 * client secret, AEAD key, IV and header protection key. Everything here is public by design: Initial packets are
 * only obfuscated, which is what lets a passive observer read the ClientHello.
 */
import { createHmac } from 'node:crypto';

export const QUIC_V1 = 0x00000001;
export const QUIC_V2 = 0x6b3343cf;

interface VersionParams {
  salt: Buffer;
  keyLabel: string;
  ivLabel: string;
  hpLabel: string;
  /** Long-header packet type bits ((first >> 4) & 3) of an Initial packet. */
  initialType: number;
}

const V1: VersionParams = {
  salt: Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex'),
  keyLabel: 'quic key', ivLabel: 'quic iv', hpLabel: 'quic hp', initialType: 0,
};
const V2: VersionParams = {
  salt: Buffer.from('0dede3def700a6db819381be6e269dcbf9bd2ed9', 'hex'),
  keyLabel: 'quicv2 key', ivLabel: 'quicv2 iv', hpLabel: 'quicv2 hp', initialType: 1,
};

export function versionParams(version: number): VersionParams | null {
  return version === QUIC_V1 ? V1 : version === QUIC_V2 ? V2 : null;
}

export function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Buffer {
  return createHmac('sha256', salt).update(ikm).digest();
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
  return createHmac('sha256', secret).update(info).digest().subarray(0, length);
}

export interface InitialKeys {
  initialSecret: Buffer;
  clientSecret: Buffer;
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
}

/** Client Initial keys for `version` (v1 or v2) and the client's original Destination Connection ID. */
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
