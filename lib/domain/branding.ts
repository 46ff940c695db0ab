/**
 * How the survey email and page look and who they come from, checked for legible contrast.
 */
import * as z from 'zod';
import { contrastRatio, formatRatio, HEX_COLOUR, WCAG_AA_CONTRAST } from './colour.js';

export const colour = z
  .string()
  .regex(HEX_COLOUR, 'must be a colour written "#rrggbb", such as "#1d4ed8"');
const WHITE = '#ffffff';

/** The accent when the config names none: passes AA against white (6.7:1). */
export const DEFAULT_ACCENT = '#1d4ed8';

/** How the survey email and page look and who they come from; every key optional. */
export const Branding = z
  .object({
    /** The From display name. Default: the brand. */
    senderName: z
      .string()
      .trim()
      .min(1)
      .max(64)
      // eslint-disable-next-line no-control-regex -- a line break here would start a new header
      .regex(/^[^\u0000-\u001f\u007f]*$/, 'must be one line of text'),
    /** A logo over the email and page (shown about 40 px high); https only. */
    logoUrl: z.string().refine((value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'https:' && !url.username && !url.password;
      } catch {
        return false;
      }
    }, 'must be an https:// URL (mail clients and browsers block or flag images over http)'),
    /** The colour of buttons, the chosen score and score borders. Default: blue #1d4ed8. */
    accentColor: colour,
    /** The colour of text on the accent (the button's label, the chosen score). Default: white. */
    accentTextColor: colour,
  })
  .partial()
  .superRefine((branding, ctx) => {
    const accent = branding.accentColor ?? DEFAULT_ACCENT;
    const text = branding.accentTextColor ?? WHITE;
    if (!HEX_COLOUR.test(accent) || !HEX_COLOUR.test(text)) return;
    const onWhite = contrastRatio(accent, WHITE);
    if (onWhite < WCAG_AA_CONTRAST) {
      ctx.addIssue({
        code: 'custom',
        path: ['accentColor'],
        message: `${accent} has a contrast of ${formatRatio(onWhite)} against white (the email and page behind scores and links); WCAG AA needs ${WCAG_AA_CONTRAST}:1, so pick a darker shade`,
      });
    }
    const withText = contrastRatio(accent, text);
    if (text.toLowerCase() !== WHITE && withText < WCAG_AA_CONTRAST) {
      ctx.addIssue({
        code: 'custom',
        path: ['accentTextColor'],
        message: `${text} has a contrast of ${formatRatio(withText)} against the accent ${accent} it is written on; WCAG AA needs ${WCAG_AA_CONTRAST}:1`,
      });
    }
  });

export type Branding = z.infer<typeof Branding>;
