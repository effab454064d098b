export { WsRestClient } from './client/client.js';
export type { ConnectionState, WsRestClientEvents } from './client/client.js';
export type { ReconnectOptions, WsRestClientOptions } from './client/options.js';
export { WsRestError, WsRestRefusedError } from './client/errors.js';
export type { WebSocketConstructor, WebSocketLike } from './engine/socket.js';
export type { ServeHandler } from './http/serve.js';
export type { EventMessage, GapMessage, ResetMessage, PublishOptions, SubscribeOptions, Subscription, SubscriptionHandler, SubscriptionMessage } from './pubsub/types.js';
export { ErrorCode } from './protocol/error-codes.js';
