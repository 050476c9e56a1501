import { Gauge, type Registry } from "prom-client";

/**
 * A gauge read when Prometheus scrapes: `read` gives the current value, or undefined to keep
 * the last one (a source that is not known yet). The KMS and the indexer expose their state so.
 */
export function pullGauge(registry: Registry, name: string, help: string, read: () => number | undefined): Gauge {
  return new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      const value = read();
      if (value !== undefined) this.set(value);
    },
  });
}
