/**
 * Where a remote cell's text ("host · address:port · CC") may be cut: before the host's last two labels (three when
 * the second-to-last is a short second-level label such as co.uk or com.au), so what is cut is a subdomain and the
 * domain and the address stay. The renderer has no public suffix list; this keeps at least the registrable domain
 * for the common cases and a little more for the rest. 0: nothing to cut.
 */
export function shortenedFrom(text: string, host: string): number {
  if (!text.startsWith(host)) return 0;
  const labels = host.split('.');
  if (labels.length <= 2) return 0;
  const keep = labels[labels.length - 2].length <= 3 ? 3 : 2;
  if (labels.length <= keep) return 0;
  return host.length - labels.slice(-keep).join('.').length;
}
