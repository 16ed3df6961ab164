/**
 * main's IpcBackend: what main still does for the page. Native file dialogs run here (so the page never names a
 * path), then the engine host is called with the chosen path; and `connect` makes the page's MessagePort pair, one
 * end for the host, the other for the page, after which main is out of the way. A table export is the host's text
 * (exportTable), written here where the user chose.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { HostArg } from '../shared/api.ts';
import type { Result, TableExport, TableExportRequest } from '../shared/ipc.ts';
import type { IpcBackend } from './ipc-handlers.ts';

/** The host methods main calls, each with its argument. */
type MainCall = 'openFile' | 'saveCapture' | 'exportTable' | 'saveFlowPackets';

export interface HostCaller {
  call<M extends MainCall>(method: M, arg: HostArg<M>): Promise<unknown>;
  /** Hands a port to the host; false when the host is gone. */
  connect(port: unknown): boolean;
}

/** What a save dialog offers: its title, the file name it proposes, and the kind of file (its filter). */
export interface SaveDialog {
  title: string;
  defaultName: string;
  kind: 'pcap' | 'csv' | 'json';
}

export interface FileDialogs {
  /** An absolute path of a capture file to open, or null when cancelled. */
  chooseOpen(): Promise<string | null>;
  /** Where to save; without `o`, the whole capture. */
  chooseSave(o?: SaveDialog): Promise<string | null>;
}

/** Electron's MessageChannelMain, as a function (tests pass fakes). */
export type NewChannel = () => { port1: unknown; port2: unknown };

/** Writes text where the user chose, private, and never through a link planted at that name. */
export type WriteText = (file: string, text: string) => Promise<void>;

export const writePrivateText: WriteText = async (file, text) => {
  const fh = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  try {
    await fh.writeFile(text, 'utf8');
  } finally {
    await fh.close();
  }
};

const reason = (e: unknown) => ((e as { code?: string }).code ?? (e instanceof Error ? e.message : String(e)));

export function createIpcBackend(host: HostCaller, dialogs: FileDialogs, newChannel: NewChannel, writeText: WriteText = writePrivateText): IpcBackend {
  return {
    openCaptureFile: async () => {
      const file = await dialogs.chooseOpen();
      if (file === null) return { ok: true, value: null };
      return (await host.call('openFile', file)) as Result<{ path: string }>;
    },
    saveCapture: async () => {
      const file = await dialogs.chooseSave();
      if (file === null) return { ok: true, value: null };
      return (await host.call('saveCapture', file)) as Result<{ path: string }>;
    },
    saveTableExport: async (req: TableExportRequest) => {
      const file = await dialogs.chooseSave({ title: 'Export table', defaultName: `flows.${req.format}`, kind: req.format });
      if (file === null) return { ok: true, value: null };
      const r = (await host.call('exportTable', req)) as Result<TableExport>;
      if (!r.ok) return r;
      try {
        await writeText(file, r.value.text);
      } catch (e) {
        return { ok: false, error: { code: 'internal', message: `Cannot save to ${path.basename(file)}: ${reason(e)}.`, action: 'Choose a folder you can write to.' } };
      }
      return { ok: true, value: { path: file, flows: r.value.flows } };
    },
    saveFlowPackets: async (id: number) => {
      const file = await dialogs.chooseSave({ title: 'Save this flow’s packets', defaultName: `flow-${id}.pcap`, kind: 'pcap' });
      if (file === null) return { ok: true, value: null };
      return (await host.call('saveFlowPackets', { id, path: file })) as Result<{ path: string; packets: number }>;
    },
    connect: async (toPage) => {
      const { port1, port2 } = newChannel();
      if (host.connect(port1)) toPage(port2);
    },
  };
}
