/**
 * UTCTime and GeneralizedTime as RFC 5280 §4.1.2.5 profiles them: UTC ("Z"), seconds present,
 * no fractional seconds. UTCTime years 50..99 are 1950..1999 and 00..49 are 2000..2049.
 * Returns unix seconds, or undefined for anything else (the caller picks the error code).
 */
export function parseDerTime(kind: "utc" | "generalized", value: Uint8Array): number | undefined {
  const yearDigits = kind === "utc" ? 2 : 4;
  if (value.length !== yearDigits + 11) return undefined;
  if (value[value.length - 1] !== 0x5a /* Z */) return undefined;
  const digits: number[] = [];
  for (let i = 0; i < value.length - 1; i++) {
    const code = value[i] as number;
    if (code < 0x30 || code > 0x39) return undefined;
    digits.push(code - 0x30);
  }
  const number = (at: number, count: number): number => {
    let result = 0;
    for (let i = 0; i < count; i++) result = result * 10 + (digits[at + i] as number);
    return result;
  };
  let year = number(0, yearDigits);
  if (kind === "utc") year += year < 50 ? 2000 : 1900;
  const month = number(yearDigits, 2);
  const day = number(yearDigits + 2, 2);
  const hour = number(yearDigits + 4, 2);
  const minute = number(yearDigits + 6, 2);
  const second = number(yearDigits + 8, 2);
  if (month < 1 || month > 12) return undefined;
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
