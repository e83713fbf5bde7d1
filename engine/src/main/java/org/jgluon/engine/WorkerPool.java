package org.jgluon.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The worker threads behind {@link Parallel}: {@code threads − 1} daemon threads that run the
 * tasks of one parallel region at a time together with the thread that submitted it.
 *
 * <p>Why not an {@code ExecutorService}: a training step runs about a hundred regions, and in
 * this VM a worker parked on a queue took 100–450 µs to wake for each (a halted vCPU), while
 * static halves left the faster thread waiting; together ≈ 16 % of a step's thread time at 2
 * threads (docs/benchmarks.md, "Fifth session"). Here an idle worker spins for
 * {@link #SPIN_NANOS} before it parks, so the next region finds it awake; the tasks are claimed
 * one at a time by whichever thread is free, so a slow or late thread takes fewer; and a region
 * allocates nothing.
 *
 * <p>A region's tasks are fixed before it starts ({@link Parallel} decides them from the sizes
 * and the thread count only): which thread runs a task never changes what the task computes.
 *
 * <p>The region's generation, task count and next unclaimed task share one {@code long}, so a
 * claim is a compare-and-set that fails once the region has moved on: a worker that read the
 * region's fields and then claims successfully read them while the region still had that task
 * unclaimed, hence before the submitter could overwrite them for the next region.
 */
final class WorkerPool {

    /** How long an idle thread spins before it parks, from {@code -Djgluon.spin.us} (default 2000 µs). */
    static final long SPIN_NANOS = spinNanos();

    /** While spinning, how often to yield the core ({@link #spinUntil}). */
    private static final long YIELD_NANOS = 50_000;

    /** Where the task count and the generation start in {@link #state}; the next task is below. */
    private static final int COUNT_SHIFT = 20, GEN_SHIFT = 40;
    private static final long TASK_MASK = (1L << COUNT_SHIFT) - 1;
    /** A region's tasks are indexed by 20 bits (more blocks are grouped into tasks by {@link Parallel}). */
    static final int MAX_TASKS = (int) TASK_MASK;

    private final Worker[] workers;
    /** Spinning pays only when every thread has a core; otherwise idle threads park at once. */
    private final boolean spin;
    /** One region at a time; a second submitter runs its tasks inline instead of waiting. */
    private final ReentrantLock submit = new ReentrantLock();

    /** gen (24 bits) | task count (20) | next unclaimed task (20). */
    private final AtomicLong state = new AtomicLong();
    /**
     * The region: its body and how task t maps to calls of it ({@link #runTask}). Written before
     * the region's state is published, read by claimers; plain fields, so that a region
     * allocates nothing.
     */
    private Parallel.RangeBody body;
    private int n, block, per;
    /** Tasks of the current region not yet finished. */
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Throwable failure;
    /** The submitter, when it parked waiting for the last task. */
    private volatile Thread waiter;
    private volatile boolean shutdown;
    private final BooleanSupplier regionDone = () -> pending.get() == 0;
    /** With {@link RegionProfile#ENABLED}: the region's summed task time and its first worker start. */
    private final AtomicLong busyNanos = new AtomicLong(), firstWorkerStart = new AtomicLong();

    WorkerPool(int threads) {
        spin = threads <= Runtime.getRuntime().availableProcessors() && SPIN_NANOS > 0;
        workers = new Worker[Math.max(0, threads - 1)];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    /**
     * Runs the {@code count} tasks of a region, each exactly once, on this thread and the workers,
     * and returns when all are done; rethrows the first failure (the tasks not yet started when a
     * task failed are skipped). Task t is chunk t of {@code count} equal chunks of {@code [0, n)}
     * when {@code block} is 0, else blocks {@code [t·per, (t + 1)·per)} of {@code block} items.
     * When another thread's region is in flight, this thread runs all of its tasks itself, in order.
     */
    void run(Parallel.RangeBody body, int n, int count, int block, int per) {
        if (count < 1 || count > MAX_TASKS) {
            throw new IllegalArgumentException("WorkerPool.run: task count " + count + " outside 1.." + MAX_TASKS);
        }
        if (!submit.tryLock()) {
            // another thread (an embedding application's) is running a region: do ours alone
            for (int t = 0; t < count; t++) runTask(body, n, count, block, per, t);
            return;
        }
        try {
            this.body = body;
            this.n = n;
            this.block = block;
            this.per = per;
            failure = null;
            pending.set(count);
            long published = RegionProfile.ENABLED ? startProfile() : 0;
            long gen = ((state.get() >>> GEN_SHIFT) + 1) & 0xFFFFFF;
            if (gen == 0) gen = 1; // 0 is "no region yet" for a new worker
            state.set(gen << GEN_SHIFT | (long) count << COUNT_SHIFT);
            for (Worker w : workers) {
                if (w.sleeping) LockSupport.unpark(w);
            }
            claimAndRun(gen);
            awaitRegion();
            if (RegionProfile.ENABLED) endProfile(published);
            this.body = null;
            Throwable t = failure;
            if (t != null) {
                failure = null;
                if (t instanceof RuntimeException re) throw re;
                if (t instanceof Error er) throw er;
                throw new IllegalStateException(t);
            }
        } finally {
            submit.unlock();
        }
    }

    /** Stops the workers once they finish what they run (a new pool replaces this one). */
    void shutdown() {
        shutdown = true;
        for (Worker w : workers) LockSupport.unpark(w);
    }

    /** Claims and runs tasks of region {@code gen} until none is left unclaimed. */
    private void claimAndRun(long gen) {
        while (true) {
            long s = state.get();
            int next = (int) (s & TASK_MASK), count = (int) (s >>> COUNT_SHIFT & TASK_MASK);
            if (s >>> GEN_SHIFT != gen || next >= count) return;
            // the region's own fields, if the claim below succeeds: see the class comment
            Parallel.RangeBody b = body;
            int items = n, size = block, runs = per;
            if (!state.compareAndSet(s, s + 1)) continue;
            long start = RegionProfile.ENABLED ? taskStarts() : 0;
            try {
                if (failure == null) runTask(b, items, count, size, runs, next);
                if (RegionProfile.ENABLED) busyNanos.addAndGet(System.nanoTime() - start);
            } catch (Throwable t) {
                if (failure == null) failure = t;
            } finally {
                if (pending.decrementAndGet() == 0) {
                    Thread w = waiter;
                    if (w != null) LockSupport.unpark(w);
                }
            }
        }
    }

    /** Task t of a region ({@link #run}'s contract); {@link Parallel} runs small loops inline through it. */
    static void runTask(Parallel.RangeBody body, int n, int count, int block, int per, int t) {
        if (block == 0) {
            body.run(Parallel.chunkStart(n, count, t), Parallel.chunkStart(n, count, t + 1));
            return;
        }
        int blocks = (int) ((n + (long) block - 1) / block);
        for (int b = t * per, end = Math.min(blocks, b + per); b < end; b++) {
            body.run(b * block, (int) Math.min(n, (long) (b + 1) * block));
        }
    }

    private long startProfile() {
        busyNanos.set(0);
        firstWorkerStart.set(Long.MAX_VALUE);
        return System.nanoTime();
    }

    private long taskStarts() {
        long now = System.nanoTime();
        if (Thread.currentThread() instanceof Worker) firstWorkerStart.accumulateAndGet(now, Math::min);
        return now;
    }

    private void endProfile(long published) {
        long wall = System.nanoTime() - published, first = firstWorkerStart.get();
        RegionProfile.record(workers.length + 1, wall, busyNanos.get(), first == Long.MAX_VALUE ? wall : first - published);
    }

    /** Waits (spinning, then parked) until every task of the region has finished. */
    private void awaitRegion() {
        if (spinUntil(regionDone)) return;
        while (pending.get() != 0) {
            waiter = Thread.currentThread();
            if (pending.get() != 0) LockSupport.park(this);
            waiter = null;
        }
    }

    /**
     * Spins until {@code done} holds or {@link #SPIN_NANOS} have passed; true when {@code done}.
     * Every {@link #YIELD_NANOS} the spinner offers its core to other runnable threads (other
     * processes, the JIT, GC), so that spinning does not hold a core they are waiting for.
     */
    private boolean spinUntil(BooleanSupplier done) {
        if (!spin) return done.getAsBoolean();
        long start = System.nanoTime(), nextYield = start + YIELD_NANOS;
        while (!done.getAsBoolean()) {
            long now = System.nanoTime();
            if (now - start >= SPIN_NANOS) return false;
            if (now - nextYield >= 0) {
                Thread.yield();
                nextYield = now + YIELD_NANOS;
            } else {
                Thread.onSpinWait();
            }
        }
        return true;
    }

    private final class Worker extends Thread {
        volatile boolean sleeping;
        /** The last generation this worker has seen (0: none yet, as at the pool's creation). */
        private long seen;
        private final BooleanSupplier newRegion = () -> state.get() >>> GEN_SHIFT != seen || shutdown;

        Worker(int id) {
            super("jgluon-worker-" + id);
            setDaemon(true);
        }

        @Override
        public void run() {
            Parallel.markWorker();
            while (!shutdown) {
                long gen = state.get() >>> GEN_SHIFT;
                if (gen == seen) {
                    idle();
                    continue;
                }
                seen = gen;
                claimAndRun(gen);
            }
        }

        /** Spins until a region newer than {@link #seen} is published, then parks until one is. */
        private void idle() {
            if (spinUntil(newRegion)) return;
            sleeping = true; // then re-check: a submitter publishes, then looks at this flag
            if (!newRegion.getAsBoolean()) LockSupport.park(WorkerPool.this);
            sleeping = false;
        }
    }

    private static long spinNanos() {
        String s = System.getProperty("jgluon.spin.us");
        if (s != null && !s.isBlank()) {
            try {
                long us = Long.parseLong(s.trim());
                if (us >= 0) return us * 1000;
            } catch (NumberFormatException ignored) {
                // fall through to the default; a bad value must not stop the engine
            }
            System.err.println("jgluon: ignoring jgluon.spin.us '" + s + "' (want microseconds >= 0)");
        }
        return 2_000_000;
    }
}
