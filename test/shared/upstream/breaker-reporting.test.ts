import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../apps/shared/metrics.js';
import { reportBreakerState } from '../../../apps/shared/upstream/breaker-reporting.js';
import { captureLogs, sampleValue } from '../../support/telemetry.js';

describe('reportBreakerState', () => {
  it('shows the breaker closed at once, then each change in the gauge and a warning', async () => {
    const metrics = createMetrics();
    const logs = captureLogs();
    const gauge = async () =>
      sampleValue(await metrics.registry.metrics(), 'circuit_breaker_state', { upstream: 'image' });

    const report = reportBreakerState('image', { metrics, logger: logs.logger });
    const exposition = await metrics.registry.metrics();
    expect(exposition).toContain('circuit_breaker_state{upstream="image"} 0');

    report('open');
    expect(await gauge()).toBe(1);
    report('half-open');
    expect(await gauge()).toBe(0.5);
    report('closed');
    expect(await gauge()).toBe(0);
    expect(
      logs.lines().map(({ level, msg, upstream, state }) => ({ level, msg, upstream, state })),
    ).toEqual(
      (['open', 'half-open', 'closed'] as const).map((state) => ({
        level: 'warn',
        msg: 'circuit breaker',
        upstream: 'image',
        state,
      })),
    );
  });
});
