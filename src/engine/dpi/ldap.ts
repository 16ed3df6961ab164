/**
 * LDAP (RFC 4511) on TCP 389/3268 and connectionless LDAP on UDP 389: an LDAPMessage SEQUENCE whose messageID is
 * followed by a bind or search operation (request, entry, or result) of the expected inner shape. The StartTLS
 * extended request is not one of them: tls-preamble.ts reads it, and the TLS after it.
 */
export const LDAP_PORT = 389;
export const LDAP_GC_PORT = 3268;

/**
 * Where the BER value whose length bytes start at p declares it ends, or -1 (indefinite, over 3 length bytes, or
 * length bytes past avail). The end itself may lie past avail.
 */
function berDeclaredEnd(d: Uint8Array, p: number, avail: number): number {
  if (p >= avail) return -1;
  const b = d[p];
  if (b < 0x80) return p + 1 + b;
  const k = b & 0x7f;
  if (k === 0 || k > 3 || p + 1 + k > avail) return -1;
  let v = 0;
  for (let i = 1; i <= k; i++) v = v * 256 + d[p + i];
  return p + 1 + k + v;
}

/** Where the BER value whose length bytes start at p ends, when that is no later than limit; else -1. */
function berValueEnd(d: Uint8Array, p: number, limit: number): number {
  const e = berDeclaredEnd(d, p, limit);
  return e <= limit ? e : -1;
}

/** Start of the content of the BER value whose length byte is at p (its length already checked). */
function berContent(d: Uint8Array, p: number): number {
  return d[p] < 0x80 ? p + 1 : p + 1 + (d[p] & 0x7f);
}

/** An ENUMERATED or BOOLEAN of one byte at p with a value at most max; the position after it, or -1. */
function smallValue(d: Uint8Array, p: number, end: number, tag: number, max: number): number {
  return p + 3 <= end && d[p] === tag && d[p + 1] === 1 && d[p + 2] <= max ? p + 3 : -1;
}

/** A value with this tag at p, wholly before end: the position after it, or -1. */
function tagged(d: Uint8Array, p: number, end: number, tag: number): number {
  return p < end && d[p] === tag ? berValueEnd(d, p + 1, end) : -1;
}

/** The LDAPResult fields (resultCode, matchedDN, diagnosticMessage) at p. */
function ldapResult(d: Uint8Array, p: number, end: number): boolean {
  const q = smallValue(d, p, end, 0x0a, 0x7f);
  const r = q < 0 ? -1 : tagged(d, q, end, 0x04);
  return r >= 0 && tagged(d, r, end, 0x04) >= 0;
}

function operation(d: Uint8Array, tag: number, p: number, end: number): boolean {
  switch (tag) {
    case 0x60: { // BindRequest: version 1..127, name, then simple [0] or SASL [3] authentication
      if (!(p + 3 <= end && d[p] === 0x02 && d[p + 1] === 1 && d[p + 2] >= 1 && d[p + 2] <= 127)) return false;
      const q = tagged(d, p + 3, end, 0x04);
      return q >= 0 && q < end && (d[q] === 0x80 || d[q] === 0xa3) && berValueEnd(d, q + 1, end) >= 0;
    }
    case 0x61: // BindResponse
    case 0x65: // SearchResultDone
      return ldapResult(d, p, end);
    case 0x63: { // SearchRequest: baseObject, scope, derefAliases, sizeLimit, timeLimit, typesOnly, filter...
      let q = tagged(d, p, end, 0x04);
      if (q >= 0) q = smallValue(d, q, end, 0x0a, 2);
      if (q >= 0) q = smallValue(d, q, end, 0x0a, 3);
      if (q >= 0) q = tagged(d, q, end, 0x02);
      if (q >= 0) q = tagged(d, q, end, 0x02);
      if (q >= 0) q = smallValue(d, q, end, 0x01, 0xff);
      return q >= 0 && q < end && (d[q] & 0xc0) === 0x80;
    }
    case 0x64: { // SearchResultEntry: objectName, attributes
      const q = tagged(d, p, end, 0x04);
      return q >= 0 && q < end && d[q] === 0x30;
    }
    default:
      return false;
  }
}

/**
 * One LDAPMessage at d[o, o+n) with a bind or search operation. `whole`: it spans exactly n bytes (a datagram);
 * otherwise n is a stream's first bytes, which must hold at least the operation's fields checked.
 */
export function looksLikeLdapMessage(d: Uint8Array, o: number, n: number, whole: boolean): boolean {
  const avail = o + n;
  if (n < 12 || d[o] !== 0x30 || o + 1 >= avail) return false;
  // The message's declared end; a stream may hold only its start.
  const declared = berDeclaredEnd(d, o + 1, avail);
  if (declared < 0 || (whole && declared !== avail)) return false;
  const msgEnd = Math.min(declared, avail);
  const id = berContent(d, o + 1);
  // messageID: a non-negative INTEGER of 1..4 bytes.
  if (id + 3 > msgEnd || d[id] !== 0x02 || d[id + 1] < 1 || d[id + 1] > 4 || d[id + 2] >= 0x80) return false;
  const op = id + 2 + d[id + 1];
  if (op + 2 > msgEnd) return false;
  const tag = d[op];
  const opEnd = berDeclaredEnd(d, op + 1, msgEnd);
  if (opEnd < 0 || opEnd > declared) return false;
  return operation(d, tag, berContent(d, op + 1), Math.min(opEnd, msgEnd));
}
