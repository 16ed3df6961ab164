/**
 * A capture that is not pcap/pcapng, is truncated, or is corrupt. `offset` is the byte offset in the stream where
 * the bad record (or the missing bytes) starts; `reason` is a short phrase for a one-line message.
 */
export class CaptureFormatError extends Error {
  readonly offset: number;
  readonly reason: string;

  constructor(reason: string, offset: number) {
    super(`${reason} at byte ${offset}`);
    this.name = 'CaptureFormatError';
    this.reason = reason;
    this.offset = offset;
  }
}
