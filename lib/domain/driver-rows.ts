/**
 * The drivers as rows for a table or a CSV file: one per touchpoint, question, option and score
 * group, with the share and its interval.
 */
import type { ReportRow } from '../contracts/report.js';
import type { Program } from './program.js';
import { labelsOf } from './drivers.js';

/**
 * The drivers as long rows (one per question × option × score group, group `*` for everyone who
 * answered): the shape BI tools load (`afterword report --metric drivers --format csv|json`).
 */
export interface DriverRow {
  periodFrom: string;
  periodTo: string;
  touchpoint: string;
  metric: string;
  questionId: string;
  question: string;
  type: string;
  option: string;
  label: string;
  group: string;
  /** Customers of the group who answered the question. */
  answered: number;
  count: number;
  share: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  lowN: boolean;
}

export const DRIVER_COLUMNS: (keyof DriverRow)[] = [
  'periodFrom',
  'periodTo',
  'touchpoint',
  'metric',
  'questionId',
  'question',
  'type',
  'option',
  'label',
  'group',
  'answered',
  'count',
  'share',
  'ciLow',
  'ciHigh',
  'lowN',
];

export function driverRows(
  totals: readonly ReportRow[],
  programOf: (touchpoint: string) => Pick<Program, 'wording' | 'fallbackLocale'> | undefined,
): DriverRow[] {
  return totals.flatMap((row) => {
    const labels = labelsOf(programOf(row.touchpoint));
    return row.questions.flatMap((result) =>
      result.options.flatMap((option) =>
        [
          ['*', result.answered, option] as const,
          ...Object.entries(option.byGroup).map(
            ([group, share]) => [group, result.answeredByGroup[group] ?? 0, share] as const,
          ),
        ].map(([group, answered, share]) => ({
          periodFrom: row.periodFrom ?? row.day,
          periodTo: row.periodTo ?? row.day,
          touchpoint: row.touchpoint,
          metric: row.metric ?? '',
          questionId: result.questionId,
          question: labels.question(result.questionId),
          type: result.type ?? '',
          option: option.option,
          label:
            result.type === 'rating'
              ? option.option
              : labels.option(result.questionId, option.option),
          group,
          answered,
          count: share.count,
          share: share.share,
          ciLow: share.ciLow,
          ciHigh: share.ciHigh,
          lowN: share.lowN,
        })),
      ),
    );
  });
}
