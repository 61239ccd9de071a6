// The one PEM reader (RFC 7468, its lax parser): every place that takes PEM
// text finds its blocks here, each with its label, its decoded DER and the
// exact text of the block. Callers choose which labels they accept; the rules
// for reading a block are the same everywhere.

import { Buffer } from 'node:buffer';

/** One `-----BEGIN label-----` ... `-----END label-----` block. */
export interface PemBlock {
  /** The label of the BEGIN line, e.g. `CERTIFICATE`, `RSA PRIVATE KEY`. */
  label: string;
  /** RFC 1421 header lines (e.g. `Proc-Type: 4,ENCRYPTED`), LF-joined; '' when there are none. */
  headers: string;
  /** The base64 body decoded (empty when `problem` is set). */
  der: Buffer;
  /** The block exactly as it stands in the input, BEGIN line to END line (or to where it was cut off). */
  text: string;
  /** Why the block is malformed, e.g. `its body is not plain base64`; undefined for a good block. */
  problem?: string;
}

export interface PemReadOptions {
  /** Labels to return; blocks with other labels are skipped, malformed or not. Default: every label. */
  labels?: readonly string[];
}

/** Certificate labels OpenSSL's PEM_read_bio_X509_AUX accepts. */
export const CERTIFICATE_LABELS: readonly string[] = ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE'];

/** Private key labels: PKCS#8 (plain and encrypted) and OpenSSL's traditional RSA/EC/DSA. */
export const PRIVATE_KEY_LABELS: readonly string[] = ['PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'DSA PRIVATE KEY'];

/** DH parameters labels (PKCS#3 and X9.42). */
export const DH_PARAMETERS_LABELS: readonly string[] = ['DH PARAMETERS', 'X9.42 DH PARAMETERS'];

// RFC 7468 §3: label characters are printable ASCII except '-', single '-' or ' ' between them.
const LABEL = String.raw`[\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*`;
// The BEGIN line must end there (trailing blanks allowed); text before it on the line is explanatory.
const BEGIN = new RegExp(String.raw`-----BEGIN (${LABEL}|)-----[ \t]*(?:\r?\n|$)`, 'g');
const BOUNDARY = /^[ \t]*-----(BEGIN|END) /;
const END_LINE = new RegExp(String.raw`^[ \t]*-----END (${LABEL}|)-----`);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Every PEM block in `text`, in order, that has one of `options.labels`.
 * Text around and between blocks is ignored; CRLF and LF are both line ends;
 * whitespace in the body is ignored. A malformed block (END label not its
 * BEGIN label, no END line, bad base64, empty body) is returned with `problem` set.
 */
export function readPem(text: string, options: PemReadOptions = {}): PemBlock[] {
  const wanted = options.labels === undefined ? undefined : new Set(options.labels);
  const out: PemBlock[] = [];
  BEGIN.lastIndex = 0;
  for (let begin = BEGIN.exec(text); begin !== null; begin = BEGIN.exec(text)) {
    const label = begin[1]!;
    const block = readBody(text, begin.index, BEGIN.lastIndex, label);
    BEGIN.lastIndex = block.resumeAt;
    if (wanted === undefined || wanted.has(label)) out.push(block.block);
  }
  return out;
}

function readBody(text: string, start: number, bodyStart: number, label: string): { block: PemBlock; resumeAt: number } {
  const headers: string[] = [];
  const body: string[] = [];
  let problem: string | undefined;
  let at = bodyStart;
  let end = text.length;
  let inHeaders = true;
  while (at < text.length) {
    const nl = text.indexOf('\n', at);
    const lineEnd = nl === -1 ? text.length : nl + 1;
    const line = text.slice(at, lineEnd).replace(/\r?\n$/, '');
    const boundary = BOUNDARY.exec(line);
    if (boundary !== null) {
      const endLine = boundary[1] === 'END' ? END_LINE.exec(line) : null;
      if (endLine === null) {
        // A new BEGIN (or a broken END line): this block was never closed.
        problem = `has no -----END ${label}----- line`;
        end = at;
        return { block: finish(text.slice(start, end), label, headers, body, problem), resumeAt: end };
      }
      end = at + line.indexOf('-----') + endLine[0].trimStart().length;
      if (endLine[1] !== label) problem = `ends with -----END ${endLine[1]}----- instead of -----END ${label}-----`;
      return { block: finish(text.slice(start, end), label, headers, body, problem), resumeAt: end };
    }
    // RFC 1421 headers (encrypted traditional keys): "Name: value" lines, continuations, then a blank line.
    if (inHeaders && (/^[\x21-\x39\x3b-\x7e]+:/.test(line) || (headers.length > 0 && /^[ \t]+\S/.test(line)))) {
      headers.push(line);
    } else if (inHeaders && headers.length > 0 && line.trim() === '') {
      inHeaders = false;
    } else {
      inHeaders = false;
      body.push(line);
    }
    at = lineEnd;
  }
  problem = `has no -----END ${label}----- line`;
  return { block: finish(text.slice(start, end), label, headers, body, problem), resumeAt: end };
}

function finish(text: string, label: string, headers: string[], body: string[], problem: string | undefined): PemBlock {
  const b64 = body.join('').replace(/\s+/g, '');
  if (problem === undefined) {
    if (!BASE64.test(b64) || b64.length % 4 !== 0) problem = 'has a body that is not plain base64';
    else if (b64.length === 0) problem = 'is empty';
  }
  const block: PemBlock = { label, headers: headers.join('\n'), der: problem === undefined ? Buffer.from(b64, 'base64') : Buffer.alloc(0), text };
  if (problem !== undefined) block.problem = problem;
  return block;
}

/** The DER of every well-formed block labelled `label`; throws on a malformed one. */
export function pemDecodeAll(text: string, label: string): Buffer[] {
  return readPem(text, { labels: [label] }).map((block) => {
    if (block.problem !== undefined) throw new Error(`PEM: the ${label} block ${block.problem}`);
    return block.der;
  });
}

/** `der` as one PEM block, 64 base64 characters a line, LF line ends. */
export function pemEncode(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
