// PLACEHOLDER: replaced by the module that owns this subcommand.
export async function runCapture(_argv: string[]): Promise<number> {
  process.stderr.write('sandpiper: this subcommand is not part of this build yet\n');
  return 69;
}
