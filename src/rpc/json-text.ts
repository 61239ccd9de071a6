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

/** A JSON number, true, false or null: the only bare tokens JSON allows. */
const BARE_SCALAR = /^(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)$/;

/**
 * `plain`: nothing but strings, objects and arrays, so JSON.parse reads it as the node does;
 * `bare_scalars`: has numbers, true, false or null outside strings, to be quoted first
 * (`quoteBareScalars`); `too_deep`: nests objects/arrays deeper than allowed.
 */
export type BodyShape = 'plain' | 'bare_scalars' | 'too_deep';

function startsBareScalar(code: number): boolean {
  return (code >= DIGIT_0 && code <= DIGIT_9) || code === MINUS || code === LETTER_T || code === LETTER_F || code === LETTER_N;
}

/**
 * One pass over the raw bytes, before JSON.parse builds anything: how deep objects/arrays nest
 * (a hostile body is refused early) and whether any bare scalar needs quoting. Unlike the Nano
 * node, which counts every '{' and '[' in the body (even inside strings), this measures real
 * nesting: brackets inside strings don't count.
 */
export function scanJsonBody(body: Uint8Array, maxDepth: number): BodyShape {
  let depth = 0;
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
    } else if (!bareScalars && startsBareScalar(byte)) {
      bareScalars = true;
    }
  }
  return bareScalars ? 'bare_scalars' : 'plain';
}

/** Where a bare token ends: at whitespace or the next structural character. */
function isDelimiter(code: number): boolean {
  return code <= 0x20 || code === COMMA || code === COLON || code === CLOSE_BRACE || code === CLOSE_BRACKET || code === OPEN_BRACE || code === OPEN_BRACKET || code === QUOTE;
}

/**
 * `json` with every number, true, false and null in a value position turned into a string of
 * its exact text. Anything that isn't valid JSON is left as it is, so JSON.parse still refuses
 * it (a bare `tru` or `1x` stays bare; a number used as an object key stays unquoted).
 */
export function quoteBareScalars(json: string): string {
  let out = '';
  let copiedUpTo = 0;
  // true = object, false = array; a key is expected after '{' and after ',' inside an object.
  const containers: boolean[] = [];
  let expectingKey = false;
  for (let i = 0; i < json.length; i++) {
    const code = json.charCodeAt(i);
    if (code === QUOTE) {
      for (i++; i < json.length && json.charCodeAt(i) !== QUOTE; i++) {
        if (json.charCodeAt(i) === BACKSLASH) i++;
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
      while (end < json.length && !isDelimiter(json.charCodeAt(end))) end++;
      const token = json.slice(i, end);
      if (BARE_SCALAR.test(token)) {
        out += `${json.slice(copiedUpTo, i)}"${token}"`;
        copiedUpTo = end;
      }
      i = end - 1;
    }
  }
  return copiedUpTo === 0 ? json : out + json.slice(copiedUpTo);
}

/** JSON text read into the node's shape: objects and arrays, every scalar a string. */
export function parseAsPropertyTree(json: string): unknown {
  return JSON.parse(quoteBareScalars(json));
}
