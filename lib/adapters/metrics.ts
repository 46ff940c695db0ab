/**
 * CloudWatch metrics through the Embedded Metric Format: one JSON log line that CloudWatch turns
 * into metrics, with no API call on the hot path. Written only inside Lambda, where it is read.
 */
export const METRIC_NAMESPACE = 'Afterword';

/** CloudWatch units; a score (NPS points, a percent share) is `None`: it counts nothing. */
export type MetricUnit = 'Count' | 'Seconds' | 'None';

export function emitMetrics(
  values: Record<string, { value: number; unit: MetricUnit }>,
  dimensions: Record<string, string> = {},
): void {
  if (!process.env.AWS_LAMBDA_FUNCTION_NAME) return;
  const names = Object.keys(values);
  if (!names.length) return;
  const line = {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [Object.keys(dimensions)],
          Metrics: names.map((name) => ({ Name: name, Unit: values[name]!.unit })),
        },
      ],
    },
    ...dimensions,
    ...Object.fromEntries(names.map((name) => [name, values[name]!.value])),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
