/**
 * A stand-in for the `electron` module, for running the real main-process bundle in Node: it records what main
 * asks of Electron in `globalThis.__fakeElectron`.
 */
type Fn = (...args: unknown[]) => unknown;

export interface FakeElectronLog {
  calls: string[];
  privilegedSchemes: unknown[];
  protocolHandlers: Map<string, Fn>;
  appListeners: Map<string, Fn>;
  windows: FakeBrowserWindow[];
  forks: { path: string; options: unknown; proc: FakeUtilityProcess }[];
  ipcHandlers: Map<string, Fn>;
  sessionHandlers: Map<string, Fn>;
  /** Every dialog.showMessageBox call, in order, with the window it was parented to. */
  messageBoxes: { window: unknown; windowVisible: boolean; options: Record<string, unknown> }[];
  /** Button indices the next message boxes answer with (default: the box's defaultId). */
  messageBoxResponses: number[];
}

/** Set before importing a bundle to change what the fake reports. */
export interface FakeElectronConfig {
  isPackaged?: boolean;
  /** The answers of the first message boxes. */
  messageBoxResponses?: number[];
}
const config: FakeElectronConfig = (globalThis as unknown as { __fakeElectronConfig?: FakeElectronConfig }).__fakeElectronConfig ?? {};

const log: FakeElectronLog = {
  calls: [],
  privilegedSchemes: [],
  protocolHandlers: new Map(),
  appListeners: new Map(),
  windows: [],
  forks: [],
  ipcHandlers: new Map(),
  sessionHandlers: new Map(),
  messageBoxes: [],
  messageBoxResponses: [...(config.messageBoxResponses ?? [])],
};
(globalThis as unknown as { __fakeElectron: FakeElectronLog }).__fakeElectron = log;

export const app = {
  isPackaged: config.isPackaged ?? false,
  enableSandbox: () => void log.calls.push('app.enableSandbox'),
  on: (event: string, l: Fn) => void log.appListeners.set(event, l),
  requestSingleInstanceLock: () => true,
  whenReady: () => Promise.resolve(),
  quit: () => void log.calls.push('app.quit'),
  exit: (code: number) => void log.calls.push(`app.exit ${code}`),
};

export const protocol = {
  registerSchemesAsPrivileged: (s: unknown[]) => void log.privilegedSchemes.push(...s),
  handle: (scheme: string, h: Fn) => void log.protocolHandlers.set(scheme, h),
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler: (h: Fn) => void log.sessionHandlers.set('request', h),
    setPermissionCheckHandler: (h: Fn) => void log.sessionHandlers.set('check', h),
    setDevicePermissionHandler: (h: Fn) => void log.sessionHandlers.set('device', h),
    on: (event: string, h: Fn) => void log.sessionHandlers.set(event, h),
  },
};

export class FakeBrowserWindow {
  readonly options: unknown;
  readonly sent: [string, unknown][] = [];
  loaded: string | null = null;
  visible = false;
  readonly listeners = new Map<string, Fn>();
  readonly webContents = { send: (ch: string, v: unknown) => void this.sent.push([ch, v]) };
  constructor(options: unknown) {
    this.options = options;
    log.windows.push(this);
  }
  isDestroyed() {
    return false;
  }
  once(event: string, l: Fn) {
    this.listeners.set(event, l);
  }
  on(event: string, l: Fn) {
    this.listeners.set(event, l);
  }
  show() {
    this.visible = true;
  }
  isVisible() {
    return this.visible;
  }
  /** Like Electron: the page loads, then the window is ready to show. */
  async loadURL(url: string) {
    this.loaded = url;
    this.listeners.get('ready-to-show')?.();
  }
}
export { FakeBrowserWindow as BrowserWindow };

export class FakeUtilityProcess {
  readonly posted: unknown[] = [];
  /** The transfer list of each postMessage, by index of `posted`. */
  readonly transfers: (unknown[] | undefined)[] = [];
  readonly listeners = new Map<string, Fn>();
  postMessage(m: unknown, transfer?: unknown[]) {
    this.posted.push(m);
    this.transfers.push(transfer);
  }
  on(event: string, l: Fn) {
    this.listeners.set(event, l);
    return this;
  }
  kill() {
    return true;
  }
}

export const utilityProcess = {
  fork: (path: string, _args: string[], options: unknown) => {
    const proc = new FakeUtilityProcess();
    log.forks.push({ path, options, proc });
    return proc;
  },
};

/** Like Electron's: two entangled ports (here only their identities matter). */
export class MessageChannelMain {
  readonly port1 = { name: 'port1', channel: this };
  readonly port2 = { name: 'port2', channel: this };
}

export const ipcMain = { handle: (ch: string, h: Fn) => void log.ipcHandlers.set(ch, h) };

export const dialog = {
  showOpenDialog: async () => ({ canceled: false, filePaths: ['/tmp/chosen.pcap'] }),
  showSaveDialog: async () => ({ canceled: true, filePath: '' }),
  showMessageBox: async (window: unknown, options: Record<string, unknown>) => {
    log.messageBoxes.push({ window, windowVisible: (window as FakeBrowserWindow).isVisible(), options });
    return { response: log.messageBoxResponses.shift() ?? (options.defaultId as number | undefined) ?? 0, checkboxChecked: false };
  },
};
