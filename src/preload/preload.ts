/**
 * Sandboxed preload (CommonJS bundle): exposes `window.sandpiper` and nothing else.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createSandpiperApi } from './api.ts';

contextBridge.exposeInMainWorld('sandpiper', createSandpiperApi(ipcRenderer));
