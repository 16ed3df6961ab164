/** Calls `cb` once, when standard output can take more after a write returned false (or it closed or failed). */
export function onStdoutDrain(cb: () => void): void {
  const done = () => {
    process.stdout.off('drain', done);
    process.stdout.off('close', done);
    process.stdout.off('error', done);
    cb();
  };
  process.stdout.on('drain', done);
  process.stdout.on('close', done);
  process.stdout.on('error', done);
}
