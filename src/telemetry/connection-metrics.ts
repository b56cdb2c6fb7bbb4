import { Counter, Gauge, type Registry } from 'prom-client';

/** Client connections as the HTTP server sees them, on the gateway's registry. */
export class ConnectionMetrics {
  private readonly refused: Counter;

  constructor(registry: Registry, sources: { openConnections(): Promise<number> }) {
    const registers = [registry];
    this.refused = new Counter({
      name: 'switchyard_connections_refused_total',
      help: 'Client connections closed on arrival because server.maxConnections were open.',
      registers,
    });
    new Gauge({
      name: 'switchyard_connections_open',
      help: 'Client connections open now, idle keep-alive ones included.',
      registers,
      async collect() {
        this.set(await sources.openConnections());
      },
    });
  }

  countRefused(): void {
    this.refused.inc();
  }
}
