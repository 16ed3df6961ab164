import { describe, expect, it } from 'vitest';
import { attributionText, processText, processUnknownText } from '../../../src/renderer/flows/process-label.ts';

const base = { process: null, pid: null, process_hidden: false } as const;

describe('process labels', () => {
  it('names the process with its pid, else says why there is none', () => {
    expect(processText({ ...base, process: 'curl', pid: 7 })).toBe('curl (7)');
    expect(processText({ ...base, process: 'curl' })).toBe('curl');
    expect(processText({ ...base, process_unknown: 'exited' })).toBe('exited');
    expect(processText({ ...base, process_unknown: 'other_user' })).toBe('another user’s');
    expect(processText({ ...base, process_unknown: 'no_socket' })).toBe('no local socket');
    expect(processText({ ...base, process_unknown: 'file' })).toBe('not attributable (file)');
    // A hidden owner without a reason from the host still says whose it is.
    expect(processText({ ...base, process_hidden: true })).toBe('another user’s');
    // Only a host that gave no reason at all leaves a dash.
    expect(processText(base)).toBe('—');
  });

  it("the drawer's sentence is there only when the flow has no process", () => {
    expect(processUnknownText({ ...base, process: 'curl', pid: 7, process_unknown: 'exited' })).toBeNull();
    expect(processUnknownText(base)).toBeNull();
    expect(processUnknownText({ ...base, process_unknown: 'file' })).toMatch(/^not attributable for a file/);
    expect(processUnknownText({ ...base, process_unknown: 'exited' })).toMatch(/^exited/);
  });

  it('says which attribution method the capture uses', () => {
    expect(attributionText(null, true)).toBe('none (a capture file)');
    expect(attributionText(undefined, false)).toBe('not reported yet');
    expect(attributionText({ type: 'attribution', method: 'ebpf', reason: null }, false)).toMatch(/^eBPF/);
    expect(attributionText({ type: 'attribution', method: 'proc', reason: 'no BTF' }, false)).toBe('/proc polling (eBPF not in use: no BTF)');
  });
});
