package org.jgluon.engine;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one thread pool of the process. Kernels never create threads: they call
 * {@link #forRange(int, int, RangeBody)}, which splits {@code [0, n)} into contiguous chunks,
 * runs one in the calling thread and the others on the pool, and returns when all are done.
 *
 * <p>The thread count comes from {@code -Djgluon.threads}, then {@code JGLUON_THREADS}, then the
 * number of cores, and can be changed with {@link #setThreads(int)}. Chunk boundaries depend only
 * on {@code n}, {@code grain} and the thread count, so a kernel that reduces in a fixed order per
 * chunk gives the same bits for the same thread count. Kernels whose results must not depend on
 * the thread count at all (reductions across the split dimension) split on fixed-size blocks
 * with {@link #forBlocks(int, int, RangeBody)} instead.
 */
public final class Parallel {

    /** The body of a parallel loop: handles the half-open range {@code [lo, hi)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int lo, int hi);
    }

    private static volatile int threads = defaultThreads();
    private static volatile ExecutorService pool;
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
        ExecutorService old = pool;
        pool = null;
        if (old != null) old.shutdown();
    }

    private static ExecutorService pool() {
        ExecutorService p = pool;
        if (p == null) {
            synchronized (Parallel.class) {
                p = pool;
                if (p == null) {
                    int workers = Math.max(1, threads - 1);
                    p = Executors.newFixedThreadPool(workers, r -> {
                        Thread t = new Thread(() -> {
                            IN_WORKER.set(true);
                            r.run();
                        }, "jgluon-worker");
                        t.setDaemon(true);
                        return t;
                    });
                    pool = p;
                }
            }
        }
        return p;
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
        runChunks(chunks, c -> body.run(chunkStart(n, chunks, c), chunkStart(n, chunks, c + 1)));
    }

    /**
     * Runs {@code body} on the fixed blocks {@code [b*block, min(n, (b+1)*block))}, spread over the
     * threads. The blocks do not depend on the thread count, so per-block partial results combined
     * in block order are bit-identical for any number of threads.
     */
    public static void forBlocks(int n, int block, RangeBody body) {
        if (n <= 0) return;
        if (block <= 0) throw new IllegalArgumentException("Parallel.forBlocks: block must be positive, got " + block);
        int blocks = (n + block - 1) / block;
        forRange(blocks, 1, (lo, hi) -> {
            for (int b = lo; b < hi; b++) body.run(b * block, Math.min(n, (b + 1) * block));
        });
    }

    private static int chunkStart(int n, int chunks, int c) {
        return (int) ((long) n * c / chunks);
    }

    private interface Chunk {
        void run(int c);
    }

    private static void runChunks(int chunks, Chunk chunk) {
        ExecutorService p = pool();
        CountDownLatch done = new CountDownLatch(chunks - 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int c = 1; c < chunks; c++) {
            final int id = c;
            p.execute(() -> {
                try {
                    chunk.run(id);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            });
        }
        try {
            IN_WORKER.set(true);
            chunk.run(0);
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        } finally {
            IN_WORKER.set(false);
        }
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a parallel loop", e);
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error er) throw er;
        if (t != null) throw new IllegalStateException(t);
    }
}
