import { afterEach, describe, expect, it, vi } from 'vitest';
import { headlineMetrics } from '../../lib/handlers/rollup.js';
import { emitMetrics } from '../../lib/adapters/metrics.js';

describe('nightly headline metrics (EMF)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('writes no Score datapoint for a day without answers, only its counts', () => {
    expect(headlineMetrics({ score: null, n: 0, invited: 12 })).toEqual({
      Responses: { value: 0, unit: 'Count' },
      Invited: { value: 12, unit: 'Count' },
    });
  });

  it('writes a score with unit None: it is points or a percent, not a count', () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'afterword-rollup');
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    emitMetrics(headlineMetrics({ score: -12.5, n: 8, invited: 20 }), {
      Touchpoint: 'support-call',
      Metric: 'nps',
    });
    const line = JSON.parse(lines.join('')) as {
      _aws: { CloudWatchMetrics: { Metrics: { Name: string; Unit: string }[] }[] };
      Score: number;
    };
    expect(line._aws.CloudWatchMetrics[0]!.Metrics).toContainEqual({ Name: 'Score', Unit: 'None' });
    expect(line.Score).toBe(-12.5);
  });
});
