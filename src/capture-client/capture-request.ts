/**
 * What to capture as the user asks for it (the filter as text), turned into the helper's options: the filter is
 * compiled here, unprivileged, for the link type the interface will capture with, so the root side never sees
 * filter text and never resolves a name, and a bad filter is refused before pkexec is started.
 */
import { DEFAULT_SNAPLEN, type HelperOptions } from '../shared/helper-protocol.ts';
import { compileFilter } from './bpf-compile.ts';
import { linkTypeFor } from './link-type.ts';

export interface CaptureRequest extends Omit<HelperOptions, 'filter'> {
  /** Filter text (libpcap syntax); empty or blank captures everything. */
  filter?: string;
}

export type PreparedRequest = { ok: true; options: HelperOptions } | { ok: false; message: string };

export function prepareHelperOptions(req: CaptureRequest, sysNet?: string): PreparedRequest {
  const { filter, ...rest } = req;
  if (filter === undefined || filter.trim() === '') return { ok: true, options: rest };
  const linktype = linkTypeFor(req.interface, sysNet);
  const compiled = compileFilter(filter, linktype, req.snaplen ?? DEFAULT_SNAPLEN);
  if (!compiled.ok) {
    return { ok: false, message: compiled.reason === 'invalid' ? `the capture filter is not valid: ${compiled.message}` : compiled.message };
  }
  return { ok: true, options: { ...rest, filter: { linktype, insns: compiled.insns } } };
}
