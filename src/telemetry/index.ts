export { GatewayMetrics, type GaugeSources, type RequestSample } from './gateway-metrics.js';
