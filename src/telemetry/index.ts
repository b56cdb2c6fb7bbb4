export { createLogDestination, flushLogDestination, type LogDestination } from './create-log-destination.js';
export { GatewayMetrics, type GaugeSources, type RequestSample } from './gateway-metrics.js';
