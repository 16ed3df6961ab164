import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsMeter } from '../../src/engine-host/stats-meter.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { eth, ipv4, pcap, udp } from '../engine/capture-fixtures.ts';

test("the stats view carries the engine's DPI refusals, all reasons together", () => {
  // One inspector at a time: the first flow's (an unrecognised payload keeps it live) refuses the next two flows.
  const e = createEngine({ dpiLimits: { maxInspectors: 1 } });
  const meter = new StatsMeter(false, 0);
  assert.equal(meter.view(0, e, false).dpiRefused, 0);
  e.push(pcap([1, 2, 3].map((n) => ({ ts: n, data: eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, udp(4000 + n, 9, [0x55, 1, 2, 3]))) }))));
  assert.equal(e.stats.dpiRefused.inspectors, 2);
  assert.equal(meter.view(0, e, false).dpiRefused, 2);
});
