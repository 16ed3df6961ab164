/**
 * A small, strict IPFIX decoder for the tests, written from RFC 7011 independently of the encoder: it checks the
 * header, set lengths, padding and template use, and returns templates and records with their values.
 */
export interface DecodedField {
  id: number;
  length: number;
  pen: number | null;
}
export interface DecodedMessage {
  version: number;
  length: number;
  exportTime: number;
  sequence: number;
  domain: number;
  templates: { id: number; fields: DecodedField[] }[];
  records: { templateId: number; values: (bigint | Uint8Array)[] }[];
}

export class IpfixDecoder {
  readonly templates = new Map<number, DecodedField[]>();

  decode(msg: Uint8Array): DecodedMessage {
    const v = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
    if (msg.length < 16) throw new Error('short message');
    const out: DecodedMessage = {
      version: v.getUint16(0),
      length: v.getUint16(2),
      exportTime: v.getUint32(4),
      sequence: v.getUint32(8),
      domain: v.getUint32(12),
      templates: [],
      records: [],
    };
    if (out.version !== 10) throw new Error(`version ${out.version}`);
    if (out.length !== msg.length) throw new Error(`header length ${out.length} != ${msg.length}`);
    let o = 16;
    while (o < msg.length) {
      if (o + 4 > msg.length) throw new Error('set header past the end');
      const setId = v.getUint16(o);
      const setLen = v.getUint16(o + 2);
      if (setLen < 4 || o + setLen > msg.length) throw new Error(`bad set length ${setLen}`);
      const end = o + setLen;
      let p = o + 4;
      if (setId === 2) {
        while (p < end) {
          if (end - p < 4) throw new Error('template set padding');
          const id = v.getUint16(p);
          const n = v.getUint16(p + 2);
          p += 4;
          const fields: DecodedField[] = [];
          for (let i = 0; i < n; i++) {
            const raw = v.getUint16(p);
            const length = v.getUint16(p + 2);
            p += 4;
            let pen: number | null = null;
            if (raw & 0x8000) {
              pen = v.getUint32(p);
              p += 4;
            }
            fields.push({ id: raw & 0x7fff, length, pen });
          }
          if (p > end) throw new Error('template past its set');
          this.templates.set(id, fields);
          out.templates.push({ id, fields });
        }
      } else if (setId >= 256) {
        const fields = this.templates.get(setId);
        if (!fields) throw new Error(`data set ${setId} before its template`);
        let min = 0;
        for (const f of fields) min += f.length === 0xffff ? 1 : f.length;
        while (end - p >= min && end - p > 0) {
          const values: (bigint | Uint8Array)[] = [];
          for (const f of fields) {
            let len = f.length;
            if (len === 0xffff) {
              len = msg[p++];
              if (len === 255) {
                len = v.getUint16(p);
                p += 2;
              }
              values.push(msg.slice(p, p + len));
            } else if (len <= 8 && !(f.pen === null && [8, 12, 27, 28].includes(f.id))) {
              let x = 0n;
              for (let i = 0; i < len; i++) x = (x << 8n) | BigInt(msg[p + i]);
              values.push(x);
            } else values.push(msg.slice(p, p + len));
            p += len;
            if (p > end) throw new Error('record past its set');
          }
          out.records.push({ templateId: setId, values });
        }
        // What is left must be padding: fewer octets than a record, all zero.
        for (; p < end; p++) if (msg[p] !== 0) throw new Error('non-zero padding');
        if (end - o - 4 === 0) throw new Error('empty set');
      } else throw new Error(`set id ${setId}`);
      o = end;
    }
    return out;
  }
}
