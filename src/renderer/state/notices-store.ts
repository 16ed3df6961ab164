/**
 * The notification rules the user set (kept in the settings; the engine host looks for them) and the notices it
 * sent, as a short list of toasts. A notice is also a desktop notification while the page is hidden, when the user
 * turned that on and the desktop allows it.
 */
import { createStore } from 'zustand/vanilla';
import { NO_NOTIFICATIONS, type Notice, type NotificationRules } from '../../shared/notices.ts';
import { formatBytes } from '../format.ts';

/** Toasts on screen at most (older ones go first), and how long one stays. */
export const MAX_TOASTS = 4;
export const TOAST_MS = 10_000;

export interface Toast {
  id: number;
  text: string;
}

export interface NoticesState {
  rules: NotificationRules;
  toasts: Toast[];
  setRules(rules: NotificationRules): void;
  /** Shows a batch from the host: one toast per notice. */
  push(notices: readonly Notice[]): void;
  dismiss(id: number): void;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : `${n} ${many}`);

/** "12 new hosts: a.com, b.org, …" — a notice as one sentence. */
export function noticeText(n: Notice): string {
  const names = n.names.length === 0 ? '' : `: ${n.names.join(', ')}${n.count > n.names.length ? ', …' : ''}`;
  const t = n.threshold ?? 0;
  switch (n.kind) {
    case 'new_program':
      return `${plural(n.count, 'A new program', 'new programs')}${names}`;
    case 'new_host':
      return `${plural(n.count, 'A new host', 'new hosts')}${names}`;
    case 'flow_bytes':
      return `${plural(n.count, 'A flow', 'flows')} above ${formatBytes(t)}${names}`;
    case 'program_bytes':
      return `${plural(n.count, 'A program', 'programs')} above ${formatBytes(t)}${names}`;
    case 'flow_rate':
      return `${plural(n.count, 'A flow', 'flows')} above ${formatBytes(t)}/s${names}`;
    case 'program_rate':
      return `${plural(n.count, 'A program', 'programs')} above ${formatBytes(t)}/s${names}`;
  }
}

export function createNoticesStore() {
  let nextId = 1;
  return createStore<NoticesState>()((set, get) => ({
    rules: NO_NOTIFICATIONS,
    toasts: [],
    setRules: (rules) => set({ rules }),
    push: (notices) => {
      const added = notices.map((n) => ({ id: nextId++, text: noticeText(n) }));
      set({ toasts: [...get().toasts, ...added].slice(-MAX_TOASTS) });
    },
    dismiss: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
  }));
}

export type NoticesStore = ReturnType<typeof createNoticesStore>;

/** What the page needs of the desktop's Notification API (absent where there is none). */
export interface DesktopNotifier {
  permission(): NotificationPermission;
  request(): Promise<NotificationPermission>;
  show(title: string, body: string): void;
  hidden(): boolean;
}

export function browserNotifier(): DesktopNotifier | null {
  if (typeof Notification === 'undefined') return null;
  return {
    permission: () => Notification.permission,
    request: () => Notification.requestPermission(),
    show: (title, body) => void new Notification(title, { body }),
    hidden: () => document.visibilityState === 'hidden',
  };
}
