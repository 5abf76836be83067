/**
 * Reading numbers written as text. Spreadsheet exports carry thousands separators ("-197,586,944",
 * "1,000") and scientific notation ("3.60E+01"); a bare `Number()` would turn "1,000" into NaN and
 * "0x1003" into 4099, so only plain decimal forms are accepted here.
 */

const plainNumber = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const groupedNumber = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;
const integerText = /^(0|-?[1-9]\d*)$/;

/** The number a cell's text denotes, or undefined when it is not a plain decimal number. */
export function parseNumberText(text: string): number | undefined {
  const t = text.trim();
  if (plainNumber.test(t)) return Number(t);
  if (groupedNumber.test(t)) return Number(t.replace(/,/g, ""));
  return undefined;
}

/**
 * True when `text` is an integer written without leading zeros or separators whose value a double
 * holds exactly, so converting it to a number and back gives the same text.
 */
export function isSafeIntegerText(text: string): boolean {
  return integerText.test(text) && Number.isSafeInteger(Number(text));
}
