/**
 * IPC channel names between the preload and main. Invoke channels are the only ones main handles; event channels
 * only flow main → renderer. (Shared with the preload, which bundles this file.)
 */
export const INVOKE_CHANNELS = {
  listInterfaces: 'sandpiper:list-interfaces',
  validateFilter: 'sandpiper:validate-filter',
  startCapture: 'sandpiper:start-capture',
  stopCapture: 'sandpiper:stop-capture',
  setPaused: 'sandpiper:set-paused',
  openCaptureFile: 'sandpiper:open-capture-file',
  saveCapture: 'sandpiper:save-capture',
  requestSnapshot: 'sandpiper:request-snapshot',
} as const;

export type InvokeName = keyof typeof INVOKE_CHANNELS;
export type InvokeChannel = (typeof INVOKE_CHANNELS)[InvokeName];

export const EVENT_CHANNELS = {
  update: 'sandpiper:update',
  status: 'sandpiper:status',
} as const;

export const ALL_INVOKE_CHANNELS: readonly InvokeChannel[] = Object.values(INVOKE_CHANNELS);
