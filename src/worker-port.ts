// The main thread's handle on one worker thread that answers its messages in order: replies
// are queued as they come and taken with next(); an error in the worker, or its exit before
// end() (or with a status other than 0), fails the reply waited for and every later next().
import { Worker, type Transferable } from 'node:worker_threads';

export class WorkerPort<In, Reply> {
  private readonly worker: Worker;
  private readonly done: Reply[] = [];
  private waiting: { resolve: (v: Reply) => void; reject: (e: unknown) => void } | undefined;
  private failed: unknown;
  private ended = false;

  /** `what` names the thread in the error when it stops too early */
  constructor(url: URL, workerData: unknown, what: string) {
    this.worker = new Worker(url, { workerData });
    this.worker.on('message', (reply: Reply) => {
      const w = this.waiting;
      if (w) {
        this.waiting = undefined;
        w.resolve(reply);
      } else this.done.push(reply);
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => {
      if (!this.ended || code !== 0) this.fail(new Error(`${what} stopped (exit ${code})`));
    });
  }

  private fail(err: unknown): void {
    this.failed ??= err;
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(this.failed);
  }

  post(msg: In, transfer?: readonly Transferable[]): void {
    this.worker.postMessage(msg, transfer);
  }

  /** The last message: after it the worker may exit. */
  end(msg: In): void {
    this.ended = true;
    this.worker.postMessage(msg);
  }

  /** Replies in and not taken yet. */
  get ready(): number {
    return this.done.length;
  }

  /** The next reply, in the order the worker sent them. */
  next(): Promise<Reply> {
    const reply = this.done.shift();
    if (reply !== undefined) return Promise.resolve(reply);
    if (this.failed !== undefined) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** Stop the worker (an early end of output, or an error). */
  stop(): void {
    this.ended = true;
    void this.worker.terminate();
  }
}
