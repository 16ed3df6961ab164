/**
 * Splits a byte stream into UTF-8 lines. Lines may arrive split across chunks (and so may multi-byte characters);
 * an over-long line is dropped whole rather than buffered without bound, since the helper never writes one.
 */
import { StringDecoder } from 'node:string_decoder';

export interface LineSplitter {
  push(chunk: Uint8Array): void;
  /** Flushes a final line that had no newline. */
  end(): void;
  /** Lines dropped for exceeding the limit. */
  readonly overlong: number;
}

export function createLineSplitter(onLine: (line: string) => void, maxLineLength = 65536): LineSplitter {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let discarding = false; // inside an over-long line: skip to its newline
  let overlong = 0;

  function take(text: string): void {
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl === -1) break;
      const piece = text.slice(from, nl);
      from = nl + 1;
      if (discarding) {
        discarding = false;
        pending = '';
        continue;
      }
      const line = pending.length ? pending + piece : piece;
      pending = '';
      emit(line);
    }
    if (from < text.length && !discarding) {
      pending += text.slice(from);
      if (pending.length > maxLineLength) {
        pending = '';
        discarding = true;
        overlong++;
      }
    }
  }

  function emit(line: string): void {
    const l = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (l.length > maxLineLength) {
      overlong++;
      return;
    }
    if (l.length > 0) onLine(l);
  }

  return {
    push(chunk) {
      take(decoder.write(chunk as Buffer));
    },
    end() {
      take(decoder.end());
      if (!discarding && pending.length) emit(pending);
      pending = '';
      discarding = false;
    },
    get overlong() {
      return overlong;
    },
  };
}
