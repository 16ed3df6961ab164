/** The engine's public surface: see engine.ts for the API contract. */
export { createEngine, CaptureFormatError, DEFAULT_IDLE_TIMEOUTS, DEFAULT_MAX_FLOWS } from './engine.ts';
export type { Engine, EngineOptions, EngineStats, FlowRef, SocketAttributor, SocketOwner, EvictReason, IdleTimeouts } from './engine.ts';
export { formatAddress, formatEndpoint } from './address-text.ts';
