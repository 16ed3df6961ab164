import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeSocketEventsHeader, RECORD_SIZE, SocketEventsFormatError, SocketEventsReader } from '../../src/shared/socket-events.ts';

const header = encodeSocketEventsHeader({ monotonicNs: 1n, realtimeNs: 2n });

test('any bytes after a valid header, in any split: events or a SocketEventsFormatError, nothing else', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: RECORD_SIZE * 6 }), fc.array(fc.nat(RECORD_SIZE * 7), { maxLength: 5 }), (body, cuts) => {
      const all = Buffer.concat([header, body]);
      const points = [...new Set(cuts.map((c) => Math.min(c, all.length)))].sort((a, b) => a - b);
      const reader = new SocketEventsReader(() => {});
      try {
        let from = 0;
        for (const p of [...points, all.length]) {
          reader.push(all.subarray(from, p));
          from = p;
        }
        assert.equal(reader.pendingBytes, body.length % RECORD_SIZE);
      } catch (e) {
        assert.ok(e instanceof SocketEventsFormatError, String(e));
      }
    }),
    { numRuns: 500 },
  );
});
