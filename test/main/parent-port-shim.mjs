// Test shim: gives a child_process.fork()ed engine-host bundle the `process.parentPort` an Electron utility process has.
process.parentPort = {
  on(event, listener) {
    if (event === 'message') process.on('message', (data) => listener({ data }));
  },
  postMessage(m) {
    process.send(m);
  },
};
