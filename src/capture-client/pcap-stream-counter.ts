/**
 * Follows record boundaries in a pcap savefile stream as it arrives in arbitrary chunks, without copying it:
 * counts whole packets and remembers where the last complete record ends, so a capture cut short mid-record can be
 * trimmed to a file every reader accepts, and the leftover can be reported instead of silently kept.
 */

const GLOBAL_HEADER_LEN = 24;
const RECORD_HEADER_LEN = 16;
/** Bigger than any snaplen the helper accepts; a larger incl_len means the stream is not what we think it is. */
const MAX_RECORD_LEN = 262144 + 65536;

export interface PcapStreamCounter {
  /** Feeds the next chunk of the stream. */
  push(chunk: Uint8Array): void;
  /** Whole records seen. */
  readonly packets: number;
  /** Bytes of packet data (incl_len) in whole records. */
  readonly packetBytes: number;
  /** Stream bytes seen in total. */
  readonly streamBytes: number;
  /** Stream offset just past the last complete record (or the global header); 0 before the header is complete. */
  readonly completeBytes: number;
  /** Set once the stream stops looking like pcap (bad magic, impossible record length); counting stops there. */
  readonly invalid: string | null;
}

export function createPcapStreamCounter(): PcapStreamCounter {
  // The record header being assembled, when it straddles chunks.
  const hdr = new Uint8Array(RECORD_HEADER_LEN);
  const hdrView = new DataView(hdr.buffer);
  let hdrFill = 0;
  let littleEndian = true;
  let headerSeen = 0; // bytes of the global header consumed so far
  const magic = new Uint8Array(4);
  let dataLeft = 0; // bytes of the current record's data still to come
  let recordLen = 0;
  let inData = false;
  let packets = 0;
  let packetBytes = 0;
  let streamBytes = 0;
  let completeBytes = 0;
  let invalid: string | null = null;

  function checkMagic(): void {
    const be = (magic[0] << 24) | (magic[1] << 16) | (magic[2] << 8) | magic[3];
    const u = be >>> 0;
    if (u === 0xa1b2c3d4 || u === 0xa1b23c4d) littleEndian = false;
    else if (u === 0xd4c3b2a1 || u === 0x4d3cb2a1) littleEndian = true;
    else invalid = `not a pcap stream (magic 0x${u.toString(16).padStart(8, '0')})`;
  }

  function push(chunk: Uint8Array): void {
    const start = streamBytes;
    streamBytes += chunk.length;
    if (invalid !== null) return;
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (headerSeen < GLOBAL_HEADER_LEN) {
        const take = Math.min(GLOBAL_HEADER_LEN - headerSeen, n - i);
        for (let k = 0; k < take; k++) {
          const pos = headerSeen + k;
          if (pos < 4) magic[pos] = chunk[i + k];
        }
        headerSeen += take;
        i += take;
        if (headerSeen >= 4 && headerSeen - take < 4) {
          checkMagic();
          if (invalid !== null) return;
        }
        if (headerSeen === GLOBAL_HEADER_LEN) completeBytes = start + i;
        continue;
      }
      if (inData) {
        const take = Math.min(dataLeft, n - i);
        dataLeft -= take;
        i += take;
        if (dataLeft === 0) {
          inData = false;
          packets++;
          packetBytes += recordLen;
          completeBytes = start + i;
        }
        continue;
      }
      // Assemble a record header: fast path when it lies wholly inside this chunk.
      let inclLen: number;
      if (hdrFill === 0 && n - i >= RECORD_HEADER_LEN) {
        const v = new DataView(chunk.buffer, chunk.byteOffset + i, RECORD_HEADER_LEN);
        inclLen = v.getUint32(8, littleEndian);
        i += RECORD_HEADER_LEN;
      } else {
        const take = Math.min(RECORD_HEADER_LEN - hdrFill, n - i);
        hdr.set(chunk.subarray(i, i + take), hdrFill);
        hdrFill += take;
        i += take;
        if (hdrFill < RECORD_HEADER_LEN) continue;
        hdrFill = 0;
        inclLen = hdrView.getUint32(8, littleEndian);
      }
      if (inclLen > MAX_RECORD_LEN) {
        invalid = `impossible record length ${inclLen} at stream offset ${start + i - RECORD_HEADER_LEN}`;
        return;
      }
      if (inclLen === 0) {
        packets++;
        completeBytes = start + i;
      } else {
        dataLeft = inclLen;
        recordLen = inclLen;
        inData = true;
      }
    }
  }

  return {
    push,
    get packets() {
      return packets;
    },
    get packetBytes() {
      return packetBytes;
    },
    get streamBytes() {
      return streamBytes;
    },
    get completeBytes() {
      return completeBytes;
    },
    get invalid() {
      return invalid;
    },
  };
}
