import type { Report } from './model.js';

/** The report for machines: the model as it is (docs/report.md is its schema), text as it came. */
export const renderJson = (report: Report): string => `${JSON.stringify(report, null, 2)}\n`;
