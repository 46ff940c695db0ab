/**
 * A program's questionnaire checked as a whole, beyond what each field's schema says.
 */
import { longestEncoding, MAX_ENCODED_ANSWERS, SCORE_GROUPS } from './questionnaire.js';
import type { Program } from './program.js';

/**
 * A questionnaire's problems, each with its path: unique question and option ids, groups of the
 * program's metric, texts for every question and option in every locale (and none for a question
 * the program does not ask), and answers that fit in the answers index's key.
 */
export function questionnaireProblems(
  program: Pick<Program, 'touchpoint' | 'metric' | 'questions' | 'sections' | 'wording'>,
  report: (path: (string | number)[], message: string) => void,
) {
  const seen = new Map<string, number>();
  program.questions.forEach((question, index) => {
    const first = seen.get(question.id);
    if (first !== undefined) {
      report(
        ['questions', index, 'id'],
        `duplicate question id "${question.id}" (also questions.${first})`,
      );
    } else seen.set(question.id, index);
    const groups: readonly string[] = SCORE_GROUPS[program.metric];
    question.askIf?.forEach((group, at) => {
      if (!groups.includes(group)) {
        report(
          ['questions', index, 'askIf', at],
          `"${group}" is no score group of ${program.metric}: use ${groups.map((g) => `"${g}"`).join(', ')}`,
        );
      }
    });
    if (question.type === 'choice' || question.type === 'choices') {
      const options = new Set<string>();
      question.options.forEach((option, at) => {
        if (options.has(option)) {
          report(['questions', index, 'options', at], `duplicate option "${option}"`);
        }
        options.add(option);
      });
      if (question.type === 'choices' && (question.maxChoices ?? 0) > question.options.length) {
        report(
          ['questions', index, 'maxChoices'],
          `is ${question.maxChoices}, but the question has only ${question.options.length} options`,
        );
      }
    }
  });
  for (const [locale, wording] of Object.entries(program.wording)) {
    const texts = wording.questions ?? {};
    // Each id once: a duplicate is reported above, not again per locale.
    program.questions.forEach((question, index) => {
      if (seen.get(question.id) !== index) return;
      const text = Object.hasOwn(texts, question.id) ? texts[question.id] : undefined;
      const path = ['wording', locale, 'questions', question.id];
      if (!text) {
        report(path, `needs the text of question "${question.id}" in locale "${locale}"`);
        return;
      }
      if (question.type === 'choice' || question.type === 'choices') {
        for (const option of question.options) {
          if (!text.options || !Object.hasOwn(text.options, option)) {
            report(
              [...path, 'options', option],
              `needs the label of option "${option}" in locale "${locale}"`,
            );
          }
        }
        for (const option of Object.keys(text.options ?? {})) {
          if (!question.options.includes(option)) {
            report(
              [...path, 'options', option],
              `"${option}" is not an option of question "${question.id}"`,
            );
          }
        }
      }
      if (question.type === 'rating') {
        for (const end of ['lowLabel', 'highLabel'] as const) {
          if (!text[end])
            report([...path, end], `needs ${end} of rating "${question.id}" in locale "${locale}"`);
        }
      }
    });
    for (const id of Object.keys(texts)) {
      if (!program.questions.some((question) => question.id === id)) {
        report(
          ['wording', locale, 'questions', id],
          `"${id}" is not a question of program "${program.touchpoint}"`,
        );
      }
    }
  }
  const sectionIds = program.sections.map((section) => section.id);
  program.sections.forEach((section, index) => {
    if (sectionIds.indexOf(section.id) !== index) {
      report(['sections', index, 'id'], `duplicate section id "${section.id}"`);
    }
    if (!program.questions.some((question) => question.section === section.id)) {
      report(['sections', index], `section "${section.id}" has no questions`);
    }
  });
  program.questions.forEach((question, index) => {
    if (question.section !== undefined && !sectionIds.includes(question.section)) {
      report(
        ['questions', index, 'section'],
        `"${question.section}" is not one of the program's sections (${sectionIds.join(', ') || 'it has none'})`,
      );
    }
  });
  for (const [locale, wording] of Object.entries(program.wording)) {
    for (const id of sectionIds) {
      if (!wording.sections || !Object.hasOwn(wording.sections, id)) {
        report(
          ['wording', locale, 'sections', id],
          `needs the title of section "${id}" in locale "${locale}"`,
        );
      }
    }
  }
  const longest = longestEncoding(program.questions);
  if (program.questions.length && longest > MAX_ENCODED_ANSWERS) {
    report(
      ['questions'],
      `a full set of answers takes ${longest} characters of the answers index's key, over ${MAX_ENCODED_ANSWERS}: use shorter question or option ids, fewer options or a lower maxChoices`,
    );
  }
}
