/**
 * The in-process event bus (spec 5.1.2): topics and patterns, filters, the bus itself.
 * See README.md in this folder.
 */
export type { EventPriority, DeliveryMode, EventId, HandlerId, SubscriptionId, BusEvent, EventHandler, HandlerErrorInfo, EventOrigin } from "./types.js";
export { inProcessEventPort, wirePriority, priorityOfByte, WIRE_PRIORITY, type EventPort, type EventReceipt, type PortEmitOptions, type PortListenOptions, type Unlisten } from "./event-port.js";
export { MAX_TOPIC_LENGTH, MAX_TOPIC_SEGMENTS, parseTopic, parsePattern, isValidTopic, isValidPattern, topicMatches } from "./topic-pattern.js";
export {
  compileEventFilter,
  validateEventFilter,
  serializeEventFilter,
  parseEventFilter,
  MAX_FILTER_DEPTH,
  MAX_FILTER_NODES,
  type EventFilter,
  type EventPredicate,
  type FilterScalar,
  type FilterRange,
} from "./filter.js";
export {
  EventBus,
  createEventBus,
  DEFAULT_MAX_EVENT_HANDLERS,
  DEFAULT_MAX_SUBSCRIPTIONS,
  DEFAULT_MAX_QUEUED_EVENTS,
  DEFAULT_EVENT_BATCH_SIZE,
  DEFAULT_HANDLER_TIMEOUT_MS,
  type EventBusOptions,
  type RegisterHandlerOptions,
  type SubscribeOptions,
  type EmitOptions,
  type UnregisterOptions,
} from "./event-bus.js";
