import type * as T from '../../ocpp/ocpp201.js';

/** Why a value cannot be set, as a Part 2 reason code (Appendix 5) and a sentence. */
export interface ValueProblem {
  reasonCode: 'InvalidValue' | 'ValueOutOfRange' | 'ValueTooLow' | 'ValueTooHigh';
  additionalInfo: string;
}

// Part 2 §2.1.4 primitive datatypes: integers have no leading zeros and no plus sign, decimals
// sent to a station at most six decimal places, booleans are exactly "true" or "false".
const INTEGER = /^(0|-?[1-9]\d*)$/;
const DECIMAL = /^-?(0|[1-9]\d*)(\.\d{1,6})?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;
const INT32 = 2 ** 31;

// StatusInfoType.additionalInfo holds at most 512 characters, and a value may be 1000.
const problem = (reasonCode: ValueProblem['reasonCode'], additionalInfo: string): ValueProblem => ({
  reasonCode,
  additionalInfo: additionalInfo.slice(0, 512),
});

/** The items of a list value: SequenceList and MemberList are comma separated. */
export function listItems(value: string): string[] {
  return value === '' ? [] : value.split(',').map((item) => item.trim());
}

function checkLimits(c: T.VariableCharacteristicsType, n: number, what: string): ValueProblem | null {
  if (c.minLimit !== undefined && n < c.minLimit) return problem('ValueTooLow', `${what} is below ${c.minLimit}`);
  if (c.maxLimit !== undefined && n > c.maxLimit) return problem('ValueTooHigh', `${what} is above ${c.maxLimit}`);
  return null;
}

/**
 * Checks a value against a variable's characteristics (B05.FR.07, B05.FR.08): its dataType,
 * valuesList, and minLimit/maxLimit, which bound numbers and, for strings and lists, the length
 * of the (CSV) string (Part 2 §2.51).
 */
export function checkValue(c: T.VariableCharacteristicsType, value: string, pattern?: RegExp): ValueProblem | null {
  const allowed = c.valuesList === undefined ? null : listItems(c.valuesList);
  switch (c.dataType) {
    case 'integer': {
      if (!INTEGER.test(value)) return problem('InvalidValue', `"${value}" is not an integer`);
      const n = Number(value);
      if (n >= INT32 || n < -INT32) return problem('ValueOutOfRange', `${value} does not fit 32 bits`);
      return checkLimits(c, n, value);
    }
    case 'decimal':
      if (!DECIMAL.test(value)) return problem('InvalidValue', `"${value}" is not a decimal (at most 6 decimal places)`);
      return checkLimits(c, Number(value), value);
    case 'boolean':
      return value === 'true' || value === 'false' ? null : problem('InvalidValue', 'a boolean is "true" or "false"');
    case 'dateTime':
      return DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)) ? null : problem('InvalidValue', `"${value}" is not an RFC 3339 date-time`);
    case 'OptionList':
      return allowed?.includes(value) ? null : problem('InvalidValue', `"${value}" is not one of ${c.valuesList ?? '(none)'}`);
    case 'SequenceList':
    case 'MemberList': {
      const items = listItems(value);
      const unknown = items.find((item) => !allowed?.includes(item));
      if (unknown !== undefined) return problem('InvalidValue', `"${unknown}" is not one of ${c.valuesList ?? '(none)'}`);
      if (new Set(items).size !== items.length) return problem('InvalidValue', 'an item is listed twice');
      return checkLimits(c, value.length, `length ${value.length}`);
    }
    case 'string':
      if (pattern && !pattern.test(value)) return problem('InvalidValue', 'characters outside the allowed set');
      return checkLimits(c, value.length, `length ${value.length}`);
  }
}
