export { ConnectionMetrics } from './connection-metrics.js';
export { createLogDestination, flushLogDestination, type LogDestination } from './create-log-destination.js';
export { GatewayMetrics, type GaugeSources } from './gateway-metrics.js';
