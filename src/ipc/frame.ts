/**
 * The Nano node's IPC framing (nano/lib/ipc.hpp, ipc_client.cpp, node/ipc/ipc_server.cpp):
 * request = 'N', encoding, 0, 0, big-endian u32 length, payload; answer = big-endian u32 length,
 * payload. `nano_rpc` uses encoding 1 (json_v1) and never pipelines.
 */
export const IPC_PREAMBLE_LEAD = 0x4e; // 'N'
export const IPC_ENCODING_JSON_V1 = 0x01;
export const IPC_REQUEST_HEADER = 8;
export const IPC_ANSWER_HEADER = 4;

/** The 8-byte header of a json_v1 request with this payload length. */
export function requestHeader(length: number): Buffer {
  const header = Buffer.allocUnsafe(IPC_REQUEST_HEADER);
  header[0] = IPC_PREAMBLE_LEAD;
  header[1] = IPC_ENCODING_JSON_V1;
  header[2] = 0;
  header[3] = 0;
  header.writeUInt32BE(length, 4);
  return header;
}

/** The 4-byte header of an answer. */
export function answerHeader(length: number): Buffer {
  const header = Buffer.allocUnsafe(IPC_ANSWER_HEADER);
  header.writeUInt32BE(length, 0);
  return header;
}

/**
 * Collects length-prefixed frames from a byte stream without copying more than once: chunks are
 * kept until a whole frame is there, then joined. `headerBytes` is 8 for requests, 4 for answers
 * (the length is always the last 4 bytes of the header).
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private header: Buffer | undefined;
  private length = -1;

  constructor(
    private readonly headerBytes: number,
    private readonly maxLength: number,
  ) {}

  /** Bytes of the current frame received so far (0 = between frames). */
  get pending(): number {
    return this.buffered + (this.header === undefined ? 0 : this.headerBytes);
  }

  /**
   * Feeds bytes; returns complete frames (header + payload), or 'too_large' when a header
   * announces more than maxLength (the stream can't continue after that).
   */
  push(chunk: Buffer): Array<{ header: Buffer; payload: Buffer }> | 'too_large' {
    const frames: Array<{ header: Buffer; payload: Buffer }> = [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.header === undefined) {
        if (this.buffered < this.headerBytes) return frames;
        const all = this.take(this.headerBytes);
        this.header = all;
        this.length = all.readUInt32BE(this.headerBytes - 4);
        if (this.length > this.maxLength) return 'too_large';
      }
      if (this.buffered < this.length) return frames;
      const payload = this.take(this.length);
      frames.push({ header: this.header, payload });
      this.header = undefined;
      this.length = -1;
    }
  }

  private take(count: number): Buffer {
    const joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    const taken = joined.subarray(0, count);
    const rest = joined.subarray(count);
    this.chunks = rest.length === 0 ? [] : [rest];
    this.buffered = rest.length;
    return taken;
  }
}
