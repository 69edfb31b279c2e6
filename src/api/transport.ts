import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import type { Dispatcher, Agent as UndiciAgent, interceptors as UndiciInterceptors } from 'undici';

/**
 * The three pieces of undici the client uses, loaded file by file. `import 'undici'` costs
 * about 60 ms of every command's start-up (its index loads fetch, WebSocket, mock agents and
 * caches); these files about 20 ms. undici has no exports map, the lock file pins its version,
 * the types are undici's own, and every test that talks HTTP goes through here.
 */
const require = createRequire(import.meta.url);

// undici parses HTTP with llhttp compiled to WebAssembly, which V8 then optimises in background
// threads; a short command waits about 60 ms at exit for that work. Baseline compilation
// (Liftoff) parses a few requests just as well. Set before undici compiles llhttp, on first use.
setFlagsFromString('--liftoff-only');

export const Agent = require('undici/lib/dispatcher/agent') as typeof UndiciAgent;
export const retryInterceptor = require('undici/lib/interceptor/retry') as typeof UndiciInterceptors.retry;

const apiRequest = require('undici/lib/api/api-request') as (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

/** undici's `request`, on our dispatcher: `dispatcher.request(options)` without the index. */
export function request(dispatcher: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return apiRequest.call(dispatcher, options);
}
