// Test shim: gives a child_process.fork()ed engine-host bundle the `process.parentPort` an Electron utility process
// has. A `connect` message carries a stand-in page port: what the host posts on it reaches the test as
// `{ port: message }`, and `{ port: message }` from the test arrives on it.
const portListeners = new Map();
const pagePort = {
  on(event, listener) {
    portListeners.set(event, listener);
  },
  postMessage(m) {
    process.send({ port: m });
  },
  start() {},
  close() {
    portListeners.get('close')?.();
  },
};
process.parentPort = {
  on(event, listener) {
    if (event !== 'message') return;
    process.on('message', (data) => {
      if (data && typeof data === 'object' && 'port' in data) portListeners.get('message')?.({ data: data.port });
      else listener(data && data.type === 'connect' ? { data, ports: [pagePort] } : { data });
    });
  },
  postMessage(m) {
    process.send(m);
  },
};
