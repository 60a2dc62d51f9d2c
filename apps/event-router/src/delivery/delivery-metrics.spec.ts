import { Metrics } from '@odt/service-kit';
import { DeliveryMetrics } from './delivery-metrics';

describe('DeliveryMetrics: what waits in the endpoints\' consumers', () => {
  const setup = (backlogs: Map<string, number>) => {
    const metrics = new Metrics('event-router');
    let readings = 0;
    const delivery = new DeliveryMetrics(metrics, () => {
      readings++;
      return Promise.resolve(new Map(backlogs));
    });
    return { metrics, delivery, readings: () => readings };
  };

  it('shows each endpoint\'s backlog and their sum as event_router_backlog, reading the consumers once per scrape', async () => {
    const { metrics, readings } = setup(new Map([['hook', 120], ['bus', 7]]));
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^event_consumer_pending\{endpoint="hook",service="event-router"\} 120$/m);
    expect(text).toMatch(/^event_consumer_pending\{endpoint="bus",service="event-router"\} 7$/m);
    expect(text).toMatch(/^event_router_backlog\{service="event-router"\} 127$/m);
    expect(readings()).toBe(1);
  });

  it('shows a backlog of 0 on a replica that delivers to no endpoint', async () => {
    const { metrics } = setup(new Map());
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^event_router_backlog\{service="event-router"\} 0$/m);
    expect(text).not.toMatch(/^event_consumer_pending\{/m);
  });

  it('counts deliveries by endpoint and outcome', async () => {
    const { metrics, delivery } = setup(new Map());
    delivery.count('hook', 'delivered');
    delivery.count('hook', 'delivered');
    delivery.count('hook', 'failed');
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^event_deliveries_total\{endpoint="hook",outcome="delivered",service="event-router"\} 2$/m);
    expect(text).toMatch(/^event_deliveries_total\{endpoint="hook",outcome="failed",service="event-router"\} 1$/m);
  });
});
