import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Readable } from 'node:stream';

export interface CappedOutput {
  stdout: string;
  stderr: string;
  truncated: boolean;
  /** Host path of the spooled full output (stdout and stderr interleaved), when it was cut. */
  spoolPath?: string;
}

/**
 * Keeps the first `capBytes` of stdout+stderr in memory. Once output passes the cap, everything
 * (from the first byte, interleaved as it arrived) is streamed to `spoolPath` instead of memory,
 * with back-pressure on the command's pipes so a flood cannot grow the heap.
 */
export function createOutputCollector(options: { capBytes: number; spoolPath: string }) {
  const kept = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const ordered: Buffer[] = [];
  let keptBytes = 0;
  let spool: WriteStream | undefined;
  let spoolError: Error | undefined;

  const openSpool = (): WriteStream => {
    const stream = createWriteStream(options.spoolPath, { flags: 'wx', mode: 0o600 });
    stream.on('error', (error) => {
      spoolError = error;
    });
    for (const chunk of ordered) stream.write(chunk);
    ordered.length = 0;
    return stream;
  };

  const accept = (name: 'stdout' | 'stderr', chunk: Buffer, source: Readable) => {
    const room = options.capBytes - keptBytes;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      kept[name].push(part);
      keptBytes += part.length;
    }
    if (!spool && keptBytes >= options.capBytes && chunk.length > room) spool = openSpool();
    if (spool) {
      if (!spool.write(chunk) && !spoolError) {
        source.pause();
        spool.once('drain', () => source.resume());
      }
    } else {
      ordered.push(chunk);
    }
  };

  return {
    attach(name: 'stdout' | 'stderr', source: Readable): void {
      source.on('data', (chunk: Buffer) => accept(name, chunk, source));
    },
    async finish(): Promise<CappedOutput> {
      const result: CappedOutput = {
        stdout: Buffer.concat(kept.stdout).toString('utf8'),
        stderr: Buffer.concat(kept.stderr).toString('utf8'),
        truncated: spool !== undefined,
      };
      if (spool) {
        spool.end();
        if (!spool.closed) await once(spool, 'close').catch(() => undefined);
        if (!spoolError) result.spoolPath = options.spoolPath;
      }
      return result;
    },
  };
}
