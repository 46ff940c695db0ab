/**
 * CloudWatch metrics through the Embedded Metric Format, written by Powertools for AWS Lambda
 * (Metrics): one JSON log line that CloudWatch turns into metrics, with no API call on the hot
 * path. Written only inside Lambda, where it is read.
 */
import { Metrics, MetricUnit as Unit } from '@aws-lambda-powertools/metrics';

export const METRIC_NAMESPACE = 'Afterword';

/** CloudWatch units; a score (NPS points, a percent share) is `None`: it counts nothing. */
export type MetricUnit = 'Count' | 'Seconds' | 'None';

const UNITS = { Count: Unit.Count, Seconds: Unit.Seconds, None: Unit.NoUnit } as const;

export function emitMetrics(
  values: Record<string, { value: number; unit: MetricUnit }>,
  dimensions: Record<string, string> = {},
): void {
  if (!process.env.AWS_LAMBDA_FUNCTION_NAME) return;
  const names = Object.keys(values);
  if (!names.length) return;
  // One instance per dimension set: the rollup writes one set per touchpoint in the same run.
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE });
  // Powertools puts a `service` dimension on everything by default; the stack's alarms and
  // dashboards address these metrics by their own dimensions, which must stay as they are.
  metrics.clearDefaultDimensions();
  if (Object.keys(dimensions).length) metrics.addDimensions(dimensions);
  for (const name of names) metrics.addMetric(name, UNITS[values[name]!.unit], values[name]!.value);
  metrics.publishStoredMetrics();
}
