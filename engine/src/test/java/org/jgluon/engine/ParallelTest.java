package org.jgluon.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pool's contract: every index once, fixed chunk and block boundaries, failures rethrown. */
class ParallelTest {

    private int saved;

    @BeforeEach
    void save() {
        saved = Parallel.threads();
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
    }

    @Test
    void forRangeChunksDependOnlyOnSizesAndThreads() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            Parallel.setThreads(threads);
            for (int n : new int[] {1, 2, 7, 100, 1001}) {
                for (int grain : new int[] {1, 3, 64}) {
                    List<String> got = Collections.synchronizedList(new ArrayList<>());
                    Parallel.forRange(n, grain, (lo, hi) -> got.add(lo + ".." + hi));
                    int chunks = Math.min(threads, Math.max(1, n / grain));
                    List<String> want = new ArrayList<>();
                    for (int c = 0; c < chunks; c++) want.add((long) n * c / chunks + ".." + (long) n * (c + 1) / chunks);
                    Collections.sort(got);
                    Collections.sort(want);
                    assertEquals(want, got, "threads " + threads + ", n " + n + ", grain " + grain);
                }
            }
        }
    }

    @Test
    void forBlocksCallsTheBodyOncePerFixedBlock() {
        for (int threads : new int[] {1, 2, 4}) {
            Parallel.setThreads(threads);
            for (int n : new int[] {1, 5, 16, 17, 1000}) {
                for (int block : new int[] {1, 4, 16, 2000}) {
                    AtomicIntegerArray calls = new AtomicIntegerArray(n);
                    ConcurrentHashMap<Integer, Integer> ends = new ConcurrentHashMap<>();
                    Parallel.forBlocks(n, block, (lo, hi) -> {
                        ends.put(lo, hi);
                        for (int i = lo; i < hi; i++) calls.incrementAndGet(i);
                    });
                    for (int i = 0; i < n; i++) assertEquals(1, calls.get(i), "index " + i);
                    for (int lo = 0; lo < n; lo += block) assertEquals(Math.min(n, lo + block), ends.get(lo));
                    assertEquals((n + block - 1) / block, ends.size());
                }
            }
        }
    }

    @Test
    void manyRegionsInARowEachRunEveryIndexOnce() {
        // back-to-back tiny regions: the claim of one region must never run a task of another
        Parallel.setThreads(3);
        int n = 7;
        int[] sums = new int[n];
        for (int r = 0; r < 20_000; r++) {
            final int round = r;
            Parallel.forBlocks(n, 1, (lo, hi) -> sums[lo] += round % 3);
        }
        int want = 0;
        for (int r = 0; r < 20_000; r++) want += r % 3;
        for (int i = 0; i < n; i++) assertEquals(want, sums[i], "index " + i);
    }

    @Test
    void aFailureInAnyChunkReachesTheCallerAndThePoolStillWorks() {
        Parallel.setThreads(2);
        for (int failing = 0; failing < 2; failing++) {
            int bad = failing;
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(2, 1, (lo, hi) -> {
                if (lo == bad) throw new IllegalStateException("chunk " + lo);
            }));
            assertEquals("chunk " + bad, e.getMessage());
        }
        AssertionError boom = new AssertionError("boom");
        assertSame(boom, assertThrows(AssertionError.class, () -> Parallel.forBlocks(8, 1, (lo, hi) -> {
            if (lo == 5) throw boom;
        })));
        int[] seen = new int[100];
        Parallel.forRange(100, 1, (lo, hi) -> {
            for (int i = lo; i < hi; i++) seen[i]++;
        });
        for (int i = 0; i < 100; i++) assertEquals(1, seen[i]);
    }

    @Test
    void nestedLoopsRunInlineInTheirChunk() {
        Parallel.setThreads(2);
        String[] outer = new String[2];
        Parallel.forRange(2, 1, (lo, hi) -> {
            String me = Thread.currentThread().getName();
            assertTrue(Parallel.inWorker());
            Parallel.forRange(1000, 1, (a, b) -> {
                assertEquals(me, Thread.currentThread().getName(), "a nested chunk ran on another thread");
                assertEquals(0, a);
                assertEquals(1000, b);
            });
            outer[lo] = me;
        });
        assertTrue(outer[0] != null && outer[1] != null);
        assertTrue(!Parallel.inWorker(), "the caller is a worker only while it runs chunks");
    }

    @Test
    void twoSubmittingThreadsGetTheirOwnResults() throws Exception {
        // an embedding application may train two models from two threads: a region in flight
        // makes the other caller run its chunks itself, with the same boundaries
        Parallel.setThreads(2);
        int n = 10_000;
        float[][] out = new float[2][n];
        Thread[] callers = new Thread[2];
        Throwable[] failed = new Throwable[2];
        for (int t = 0; t < 2; t++) {
            int id = t;
            callers[t] = new Thread(() -> {
                try {
                    for (int rep = 0; rep < 300; rep++) {
                        Parallel.forRange(n, 16, (lo, hi) -> {
                            for (int i = lo; i < hi; i++) out[id][i] += id + 1;
                        });
                    }
                } catch (Throwable e) {
                    failed[id] = e;
                }
            });
            callers[t].start();
        }
        for (Thread c : callers) c.join();
        for (int t = 0; t < 2; t++) {
            assertEquals(null, failed[t]);
            float[] want = new float[n];
            java.util.Arrays.fill(want, 300f * (t + 1));
            assertArrayEquals(want, out[t]);
        }
    }

    @Test
    void changingTheThreadCountReplacesThePool() {
        for (int threads : new int[] {3, 1, 2, 4, 2}) {
            Parallel.setThreads(threads);
            ConcurrentHashMap<String, Boolean> names = new ConcurrentHashMap<>();
            Parallel.forBlocks(64, 1, (lo, hi) -> {
                names.put(Thread.currentThread().getName(), true);
                long until = System.nanoTime() + 200_000; // long enough that every thread takes some
                while (System.nanoTime() < until) Thread.onSpinWait();
            });
            assertTrue(names.size() <= threads, names + " for " + threads + " threads");
        }
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
    }
}
