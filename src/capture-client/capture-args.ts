/**
 * `sandpiper capture` arguments. Validated here with the helper's own limits, so a mistake is reported in one line
 * before anything privileged starts.
 */
import { FILTER_MAX_LENGTH, HELPER_LIMITS, INTERFACE_NAME_RE } from '../shared/helper-protocol.ts';
import type { CaptureRequest } from './capture-request.ts';

export const CAPTURE_USAGE =
  'usage: sandpiper capture --interface IFACE [--filter BPF] [--count N] [--duration S] [--write FILE] [--json] [--promisc] [--buffer-mb N] [--sandbox-strict] [--attribute-processes [--no-ebpf]]';

export interface CaptureArgs {
  helper: CaptureRequest;
  write: string | null;
  json: boolean;
}

export type ParsedCaptureArgs = { ok: true; args: CaptureArgs } | { ok: false; error: string } | { ok: 'help' };

const VALUE_OPTIONS = new Set(['--interface', '--filter', '--count', '--duration', '--buffer-mb', '--write']);
const FLAG_OPTIONS = new Set(['--json', '--promisc', '--sandbox-strict', '--attribute-processes', '--no-ebpf']);

function parseInteger(name: string, v: string, range: { min: number; max: number }): number | string {
  if (!/^[0-9]+$/.test(v)) return `${name} must be a whole number, got '${v}'`;
  const n = Number(v);
  if (n < range.min || n > range.max) return `${name} must be between ${range.min} and ${range.max}, got ${v}`;
  return n;
}

export function parseCaptureArgs(argv: string[]): ParsedCaptureArgs {
  const seen = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return { ok: 'help' };
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq === -1 ? a : a.slice(0, eq);
    if (FLAG_OPTIONS.has(name)) {
      if (eq !== -1) return { ok: false, error: `${name} takes no value` };
      flags.add(name);
      continue;
    }
    if (!VALUE_OPTIONS.has(name)) {
      return { ok: false, error: a.startsWith('-') ? `unknown option '${name}'` : `unexpected argument '${a}'` };
    }
    if (seen.has(name)) return { ok: false, error: `${name} given more than once` };
    let value: string;
    if (eq !== -1) value = a.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) return { ok: false, error: `${name} needs a value` };
      value = argv[++i];
    }
    seen.set(name, value);
  }

  const iface = seen.get('--interface');
  if (iface === undefined) return { ok: false, error: '--interface is required' };
  if (!INTERFACE_NAME_RE.test(iface)) return { ok: false, error: `'${iface}' is not a valid interface name` };
  const helper: CaptureRequest = { interface: iface };

  const filter = seen.get('--filter');
  if (filter !== undefined) {
    if (filter.length > FILTER_MAX_LENGTH) return { ok: false, error: `--filter is longer than ${FILTER_MAX_LENGTH} characters` };
    if (/[\0\n\r]/.test(filter)) return { ok: false, error: '--filter must be a single line' };
    if (filter.trim() !== '') helper.filter = filter;
  }
  const count = seen.get('--count');
  if (count !== undefined) {
    const n = parseInteger('--count', count, HELPER_LIMITS.count);
    if (typeof n === 'string') return { ok: false, error: n };
    helper.count = n;
  }
  const duration = seen.get('--duration');
  if (duration !== undefined) {
    const n = parseInteger('--duration', duration, HELPER_LIMITS.durationSeconds);
    if (typeof n === 'string') return { ok: false, error: n };
    helper.durationSeconds = n;
  }
  const bufferMb = seen.get('--buffer-mb');
  if (bufferMb !== undefined) {
    const n = parseInteger('--buffer-mb', bufferMb, HELPER_LIMITS.bufferMb);
    if (typeof n === 'string') return { ok: false, error: n };
    helper.bufferMb = n;
  }
  if (flags.has('--promisc')) helper.promisc = true;
  if (flags.has('--sandbox-strict')) helper.sandboxStrict = true;
  if (flags.has('--attribute-processes')) helper.attributeProcesses = true;
  if (flags.has('--no-ebpf')) {
    if (!helper.attributeProcesses) return { ok: false, error: '--no-ebpf only goes with --attribute-processes' };
    helper.noEbpf = true;
  }

  const write = seen.get('--write');
  if (write !== undefined && write === '') return { ok: false, error: '--write needs a file name' };
  return { ok: true, args: { helper, write: write ?? null, json: flags.has('--json') } };
}
