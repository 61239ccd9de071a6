// The request body as the node reads it: boost's property tree keeps every JSON scalar as its
// text ("count": 18446744073709551615 is exactly that text, `true` is "true", `null` is "null").
// JSON.parse would round big numbers to doubles, so bare scalars are quoted before parsing.

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const LETTER_F = 0x66;
const LETTER_N = 0x6e;
const LETTER_T = 0x74;
const LETTER_E = 0x65;
const LETTER_CAPITAL_E = 0x45;
const PLUS = 0x2b;
const DOT = 0x2e;

/**
 * `plain`: nothing but strings, objects and arrays, so JSON.parse reads it as the node does;
 * `bare_scalars`: has numbers, true, false or null outside strings, to be quoted first
 * (`quoteBareScalars`); `too_deep`: nests objects/arrays deeper than allowed.
 */
export type BodyShape = 'plain' | 'bare_scalars' | 'too_deep' | 'too_many_values';

/**
 * Values (array elements and object members, counted by their separating commas) a request may hold.
 * JSON.parse is synchronous: 32 MB of small values costs ~0.5 s during which no other client is
 * answered; a real request (a list of at most MAX_LIST_ENTRIES, see params.ts) stays far below this.
 */
export const MAX_BODY_VALUES = 4096;

function startsBareScalar(code: number): boolean {
  return (code >= DIGIT_0 && code <= DIGIT_9) || code === MINUS || code === LETTER_T || code === LETTER_F || code === LETTER_N;
}

/**
 * One pass over the raw bytes, before JSON.parse builds anything: how deep objects/arrays nest
 * (a hostile body is refused early) and whether any bare scalar needs quoting. Unlike the Nano
 * node, which counts every '{' and '[' in the body (even inside strings), this measures real
 * nesting: brackets inside strings don't count.
 */
export function scanJsonBody(body: Uint8Array, maxDepth: number, maxValues = MAX_BODY_VALUES): BodyShape {
  let depth = 0;
  let separators = 0;
  let inString = false;
  let bareScalars = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > maxDepth) return 'too_deep';
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    } else if (byte === COMMA) {
      if (++separators >= maxValues) return 'too_many_values';
    } else if (!bareScalars && startsBareScalar(byte)) {
      bareScalars = true;
    }
  }
  return bareScalars ? 'bare_scalars' : 'plain';
}

/** Where a bare token ends: at whitespace or the next structural character. */
/**
 * Members of the top-level object as written, a key sent twice counted twice, for a body that
 * parsed as an object. `JSON.parse` keeps a repeated key's last value and the node's property tree
 * its first, so a front that forwards the client's bytes must know when the two could differ.
 */
export function topLevelMemberCount(body: Uint8Array): number {
  let depth = 0;
  let inString = false;
  let commas = 0;
  let members = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
      if (depth === 1) members = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth++;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    } else if (byte === COMMA && depth === 1) {
      commas++;
    }
  }
  return members ? commas + 1 : 0;
}

function isDelimiter(code: number): boolean {
  return (
    code <= 0x20 ||
    code === COMMA ||
    code === COLON ||
    code === CLOSE_BRACE ||
    code === CLOSE_BRACKET ||
    code === OPEN_BRACE ||
    code === OPEN_BRACKET ||
    code === QUOTE
  );
}

function isDigit(code: number | undefined): boolean {
  return code !== undefined && code >= DIGIT_0 && code <= DIGIT_9;
}

/** The position after the digits starting at `at`; `at` itself when there are none. */
function skipDigits(bytes: Uint8Array, at: number, end: number): number {
  while (at < end && isDigit(bytes[at])) at++;
  return at;
}

/** Whether bytes[start, end) is a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
function isJsonNumber(bytes: Uint8Array, start: number, end: number): boolean {
  let at = bytes[start] === MINUS ? start + 1 : start;
  if (bytes[at] === DIGIT_0) at++;
  else if (isDigit(bytes[at])) at = skipDigits(bytes, at, end);
  else return false;
  if (at < end && bytes[at] === DOT) {
    const digits = at + 1;
    at = skipDigits(bytes, digits, end);
    if (at === digits) return false;
  }
  if (at < end && (bytes[at] === LETTER_E || bytes[at] === LETTER_CAPITAL_E)) {
    at++;
    if (at < end && (bytes[at] === PLUS || bytes[at] === MINUS)) at++;
    const digits = at;
    at = skipDigits(bytes, digits, end);
    if (at === digits) return false;
  }
  return at === end;
}

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

function isWord(bytes: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (bytes[start + i] !== word[i]) return false;
  return true;
}

function isBareScalar(bytes: Uint8Array, start: number, end: number): boolean {
  return isJsonNumber(bytes, start, end) || isWord(bytes, start, end, TRUE) || isWord(bytes, start, end, FALSE) || isWord(bytes, start, end, NULL);
}

/**
 * `json` with every number, true, false and null in a value position turned into a string of
 * its exact text. Anything that isn't valid JSON is left as it is, so JSON.parse still refuses
 * it (a bare `tru` or `1x` stays bare; a number used as an object key stays unquoted). Works on
 * the raw bytes in one pass with one output buffer: a body of a million numbers costs about
 * what parsing it does. The input comes back as it is when nothing needed quoting.
 */
export function quoteBareScalars(json: Buffer): Buffer {
  // Each quoted token gains two bytes and is followed by at least one delimiter: at most twice the size.
  let out: Buffer | undefined;
  let written = 0;
  let copiedUpTo = 0;
  const copy = (from: number, to: number): void => {
    if (to - from > 32) written += json.copy(out!, written, from, to);
    else for (let i = from; i < to; i++) out![written++] = json[i]!;
  };
  // true = object, false = array; a key is expected after '{' and after ',' inside an object.
  const containers: boolean[] = [];
  let expectingKey = false;
  for (let i = 0; i < json.length; i++) {
    const code = json[i]!;
    if (code === QUOTE) {
      for (i++; i < json.length && json[i] !== QUOTE; i++) {
        if (json[i] === BACKSLASH) i++;
      }
    } else if (code === OPEN_BRACE) {
      containers.push(true);
      expectingKey = true;
    } else if (code === OPEN_BRACKET) {
      containers.push(false);
      expectingKey = false;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      containers.pop();
      expectingKey = false;
    } else if (code === COLON) {
      expectingKey = false;
    } else if (code === COMMA) {
      expectingKey = containers.at(-1) === true;
    } else if (startsBareScalar(code) && containers.length > 0 && !expectingKey) {
      let end = i + 1;
      while (end < json.length && !isDelimiter(json[end]!)) end++;
      if (isBareScalar(json, i, end)) {
        out ??= Buffer.allocUnsafe(json.length * 2);
        copy(copiedUpTo, i);
        out[written++] = QUOTE;
        copy(i, end);
        out[written++] = QUOTE;
        copiedUpTo = end;
      }
      i = end - 1;
    }
  }
  if (out === undefined) return json;
  copy(copiedUpTo, json.length);
  return out.subarray(0, written);
}

/**
 * JSON text read into the node's shape: objects and arrays, every scalar a string. Throws for text
 * nesting deeper than `maxDepth` or holding more than `maxValues` values (as a request body would).
 */
export function parseAsPropertyTree(json: string, maxDepth = Number.MAX_SAFE_INTEGER, maxValues = Number.MAX_SAFE_INTEGER): unknown {
  const bytes = Buffer.from(json, 'utf8');
  const shape = scanJsonBody(bytes, maxDepth, maxValues);
  if (shape === 'too_deep' || shape === 'too_many_values') throw new Error(`JSON text refused: ${shape}`);
  return JSON.parse((shape === 'bare_scalars' ? quoteBareScalars(bytes) : bytes).toString('utf8'));
}
