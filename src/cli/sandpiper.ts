/**
 * `sandpiper` command line: dispatches to one module per subcommand. Each subcommand returns its exit status;
 * user mistakes print one line on stderr, never a stack trace.
 * Subcommands are imported when chosen, so a command loads only what it uses (`read` never starts the ui
 * server's WebSocket, HTTP and TLS modules).
 */

const USAGE = `usage:
  sandpiper read FILE [--json] [IPFIX]
  sandpiper capture --interface IFACE [--filter BPF] [--count N] [--duration S] [--write FILE] [--json]
                    [--promisc] [--sandbox-strict] [--attribute-processes] [IPFIX]
    IPFIX: --ipfix HOST:PORT [--ipfix-transport udp|tcp] [--ipfix-active S] [--ipfix-idle S]
           [--ipfix-template-refresh S] [--ipfix-domain N]
  sandpiper helper install|uninstall|status
  sandpiper ui [FILE] [--port N] [--no-open] [--json]
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'read':
      return (await import('./read.ts')).runRead(rest);
    case 'capture':
      return (await import('./capture.ts')).runCapture(rest);
    case 'helper':
      return (await import('./helper-admin.ts')).runHelperAdmin(rest);
    case 'ui':
      return (await import('./ui.ts')).runUi(rest);
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(cmd === undefined ? USAGE : `sandpiper: unknown command '${cmd}'\n${USAGE}`);
      return 64;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Reaching here is a bug in Sandpiper, not a user mistake: say so plainly.
    process.stderr.write(`sandpiper: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 70;
  },
);
