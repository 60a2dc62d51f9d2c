/**
 * The string forms of DTDL's temporal schemas, as the official parser validates instances
 * (patterns from DTDLParser's metamodel digest, plus the calendar and clock ranges they imply):
 * RFC 3339 `date`, `date-time` (upper-case `T`/`Z`) and `full-time`, ISO 8601 `duration`.
 */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(.+)$/;
/** Weeks exclude years and months; only the last component may be fractional. */
const DURATION =
  /^P(?!$)(?:(?:(?:\d+Y|\d+\.\d+Y$)?(?:\d+M|\d+\.\d+M$)?)|(?:\d+W|\d+\.\d+W$)?)(?:\d+D|\d+\.\d+D$)?(?:T(?!$)(?:\d+H|\d+\.\d+H$)?(?:\d+M|\d+\.\d+M$)?(?:\d+(?:\.\d+)?S)?)?$/;

export function isDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function isTime(text: string): boolean {
  const match = TIME.exec(text);
  if (!match) return false;
  const [hour, minute, second] = match.slice(1, 4).map(Number);
  const [offsetHour = 0, offsetMinute = 0] = match.slice(4).filter(Boolean).map(Number);
  return hour <= 23 && minute <= 59 && second <= 59 && offsetHour <= 23 && offsetMinute <= 59;
}

export function isDateTime(text: string): boolean {
  const match = DATE_TIME.exec(text);
  return match !== null && isDate(match[1]) && isTime(match[2]);
}

export function isDuration(text: string): boolean {
  return DURATION.test(text);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
