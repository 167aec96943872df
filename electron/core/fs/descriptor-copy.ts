import * as fs from 'node:fs';
import { descriptorPaths } from './durable-file';

/**
 * Copying a file into a descriptor, not a path: the file copied into is the one this process created
 * and holds, whatever is renamed over its name meanwhile (see restored-file.ts).
 */

// Failures of the writing side: reported against the file written (`target`), not the one read.
const writeFailures = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EROFS']);

/**
 * Copies `source` into the file open at `fd` (which has the name `target`): by the kernel on Linux,
 * else through a buffer.
 */
export async function copyIntoDescriptor(source: string, fd: number, target: string): Promise<void> {
  try {
    await copyInto(source, fd);
  } catch (error) {
    const failure = error as NodeJS.ErrnoException;
    if (failure.code !== undefined && writeFailures.has(failure.code)) {
      failure.path = target;
    }
    throw failure;
  }
}

async function copyInto(source: string, fd: number): Promise<void> {
  if (descriptorPaths !== null) {
    // The descriptor named as a path: the kernel copies (copy_file_range) into exactly that file.
    // FICLONE: on a file system with reflinks (XFS, btrfs) the copy shares the source's blocks and
    // takes milliseconds whatever its size; elsewhere the kernel copies the bytes.
    await fs.promises.copyFile(source, `${descriptorPaths}/${fd}`, fs.constants.COPYFILE_FICLONE);
    return;
  }
  const input = await fs.promises.open(source, 'r');
  try {
    const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
    for (let position = 0; ;) {
      const { bytesRead } = await input.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) {
        return;
      }
      fs.writeSync(fd, buffer, 0, bytesRead, position);
      position += bytesRead;
    }
  } finally {
    await input.close();
  }
}
