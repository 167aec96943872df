import { parentPort, workerData } from 'node:worker_threads';
import { sha256OfDescriptor } from './durable-file';

/** The thread `sha256InThread` starts: hashes the descriptor it is given and posts the hex digest. */

const { fd } = workerData as { fd: number };
parentPort?.postMessage(sha256OfDescriptor(fd, () => undefined));
