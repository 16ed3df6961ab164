import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFlowDpi, createNameCache } from '../../../src/engine/dpi/index.ts';
import type { FlowDpi, PayloadContext } from '../../../src/engine/dpi/index.ts';
import { StreamPrefix, dpiBufferStats, setDpiBufferBudget } from '../../../src/engine/dpi/stream-prefix.ts';

// A TLS handshake record header claiming 16 KB, then one byte: the rest never comes.
const CRAFTED = Uint8Array.from([0x16, 0x03, 0x01, 0x40, 0x00, 0x01]);

test('10 k flows of a 6-byte TLS header claiming 16 KB hold a few bytes each, not the claimed length', () => {
  const names = createNameCache();
  const flows: FlowDpi[] = [];
  const N = 10_000;
  globalThis.gc?.();
  const before = process.memoryUsage().arrayBuffers;
  const heldBefore = dpiBufferStats().held;
  for (let i = 0; i < N; i++) {
    const d = createFlowDpi(names);
    const ctx: PayloadContext = { proto: 6, fromInitiator: true, srcPort: 40000 + (i % 20000), dstPort: 443, seq: 1000, ts: 1 };
    d.inspect(ctx, CRAFTED, 0, CRAFTED.length);
    flows.push(d);
  }
  const grown = process.memoryUsage().arrayBuffers - before;
  const held = dpiBufferStats().held - heldBefore;
  assert.ok(grown < N * 100, `array buffers grew by ${grown} bytes for ${N} flows`);
  assert.ok(held <= N * CRAFTED.length, `DPI buffers hold ${held} bytes for ${N} flows`);
  assert.ok(held > 0, 'the partial records are buffered (the budget sees them)');
  assert.equal(flows.length, N);
});

test('a stream that would exceed the global budget is abandoned and the refusal counted', () => {
  const prev = setDpiBufferBudget(dpiBufferStats().held + 1000);
  try {
    const refusals = dpiBufferStats().refusals;
    const a = new StreamPrefix(4096);
    assert.equal(a.push(0, new Uint8Array(600), 0, 600), true);
    const b = new StreamPrefix(4096);
    assert.equal(b.push(0, new Uint8Array(600), 0, 600), false, 'past the budget');
    assert.equal(b.failed, true);
    assert.equal(dpiBufferStats().refusals, refusals + 1);
    a.fail(); // gives its bytes back
    const c = new StreamPrefix(4096);
    assert.equal(c.push(0, new Uint8Array(600), 0, 600), true, 'room again once a stream is released');
    c.fail();
  } finally {
    setDpiBufferBudget(prev);
  }
});
