package org.jgluon.engine;

/**
 * The one thread pool of the process ({@link WorkerPool}). Kernels never create threads: they
 * call {@link #forRange(int, int, RangeBody)}, which splits {@code [0, n)} into contiguous chunks
 * that the calling thread and the pool's workers claim one at a time, and returns when all are done.
 *
 * <p>The thread count comes from {@code -Djgluon.threads}, then {@code JGLUON_THREADS}, then the
 * number of cores, and can be changed with {@link #setThreads(int)}. Chunk boundaries depend only
 * on {@code n}, {@code grain} and the thread count, so a kernel that reduces in a fixed order per
 * chunk gives the same bits for the same thread count, whichever thread runs which chunk.
 * Kernels whose results must not depend on the thread count at all (reductions across the split
 * dimension) split on fixed-size blocks with {@link #forBlocks(int, int, RangeBody)} instead; its
 * blocks go one at a time to whichever thread is free, so uneven blocks balance themselves.
 */
public final class Parallel {

    /** The body of a parallel loop: handles the half-open range {@code [lo, hi)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int lo, int hi);
    }

    private static volatile int threads = defaultThreads();
    private static volatile WorkerPool pool;
    private static final ThreadLocal<Boolean> IN_WORKER = ThreadLocal.withInitial(() -> false);

    private Parallel() {}

    static int defaultThreads() {
        String s = System.getProperty("jgluon.threads");
        if (s == null || s.isBlank()) s = System.getenv("JGLUON_THREADS");
        if (s != null && !s.isBlank()) {
            try {
                int t = Integer.parseInt(s.trim());
                if (t >= 1) return t;
            } catch (NumberFormatException ignored) {
                // fall through to the core count; a bad value must not stop the engine
            }
            System.err.println("jgluon: ignoring thread count '" + s + "' (want a positive integer)");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** The number of threads a parallel loop uses (the caller included). */
    public static int threads() {
        return threads;
    }

    /** Sets the number of threads for all later parallel loops. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("Parallel.setThreads: want at least 1 thread, got " + n);
        if (n == threads) return;
        threads = n;
        WorkerPool old = pool;
        pool = null;
        if (old != null) old.shutdown();
    }

    private static WorkerPool pool() {
        WorkerPool p = pool;
        if (p == null) {
            synchronized (Parallel.class) {
                p = pool;
                if (p == null) {
                    p = new WorkerPool(threads);
                    pool = p;
                }
            }
        }
        return p;
    }

    /** Called by a pool worker as it starts: nested parallel loops run inline there. */
    static void markWorker() {
        IN_WORKER.set(true);
    }

    /**
     * True in a thread that is running a chunk of a parallel loop: a nested {@link #forRange} runs
     * inline there, so a kernel can skip setting one up (and allocating its closure).
     */
    public static boolean inWorker() {
        return IN_WORKER.get();
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} contiguous
     * chunks of at least {@code grain} items. Runs inline when the work is too small to split,
     * when only one thread is configured, or when called from inside another parallel loop.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || IN_WORKER.get()) {
            body.run(0, n);
            return;
        }
        runTasks(body, n, chunks, 0, 0);
    }

    /**
     * Runs {@code body} on the fixed blocks {@code [b*block, min(n, (b+1)*block))}, one call per
     * block, each claimed by whichever thread is free. The blocks do not depend on the thread
     * count, so per-block partial results combined in block order are bit-identical for any number
     * of threads; a body must not carry state from one block to the next.
     */
    public static void forBlocks(int n, int block, RangeBody body) {
        if (n <= 0) return;
        if (block <= 0) throw new IllegalArgumentException("Parallel.forBlocks: block must be positive, got " + block);
        int blocks = (int) ((n + (long) block - 1) / block);
        if (blocks <= 1 || threads <= 1 || IN_WORKER.get()) {
            WorkerPool.runTask(body, n, 1, block, blocks, 0); // every block in order, in this thread
            return;
        }
        // a task is one block, or a run of consecutive blocks past the pool's task limit
        int per = (blocks + WorkerPool.MAX_TASKS - 1) / WorkerPool.MAX_TASKS, tasks = (blocks + per - 1) / per;
        runTasks(body, n, tasks, block, per);
    }

    /** Where chunk c of {@code chunks} equal chunks of {@code [0, n)} starts. */
    static int chunkStart(int n, int chunks, int c) {
        return (int) ((long) n * c / chunks);
    }

    /** Runs a region's tasks ({@link WorkerPool#run}) on the pool, this thread taking its share as a worker would. */
    private static void runTasks(RangeBody body, int n, int count, int block, int per) {
        WorkerPool p = pool();
        IN_WORKER.set(true);
        try {
            p.run(body, n, count, block, per);
        } finally {
            IN_WORKER.set(false);
        }
    }
}
