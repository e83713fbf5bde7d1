package org.jgluon.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import org.jgluon.engine.Parallel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SGEMM describes each call in a per-thread problem object that it reuses (no allocation per
 * call). Reuse must not leak one call's arguments into the next, a product started on a thread
 * inside another one (from a B packing callback) must not overwrite the outer one's, and two
 * threads calling at once must not share one.
 */
class SgemmReuseTest {

    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /** One product of some kind (each kind fills other fields of the problem), with its own data. */
    private record Case(String what, int m, int n, int k, float[] a, float[] b, float[] c0, Kind kind) {
        float[] run() {
            float[] c = c0.clone();
            switch (kind) {
                case PLAIN -> Sgemm.sgemm(false, false, m, n, k, 0.75f, a, 0, k, b, 0, n, 0.5f, c, 0, n);
                case TRANSPOSED_AB -> Sgemm.sgemm(true, true, m, n, k, 1f, a, 0, m, b, 0, k, 0f, c, 0, n);
                case TRANSPOSED_C -> Sgemm.sgemmTransposedC(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 1f, c, 0, m);
                case PACKED_A -> {
                    Sgemm.PackedA pa = Sgemm.pack(false, m, k, a, 0, k, new float[Sgemm.packedSize(m, k)], 0);
                    Sgemm.sgemm(pa, false, n, 1f, b, 0, n, 1f, c, 0, n);
                }
                case PANELS -> Sgemm.sgemm(false, m, n, k, 1f, a, 0, k, panels(b, n), 1f, c, 0, n);
            }
            return c;
        }
    }

    private enum Kind { PLAIN, TRANSPOSED_AB, TRANSPOSED_C, PACKED_A, PANELS }

    /** B (k × n, row-major) packed by a callback, scalar: panel q from q·kc·NR, NR values per p, zero past nc. */
    static Sgemm.BPanels panels(float[] b, int n) {
        return (pb, pc, kc, jc, nc) -> {
            for (int q = 0; q * Sgemm.NR < nc; q++) {
                for (int p = 0; p < kc; p++) {
                    for (int jj = 0; jj < Sgemm.NR; jj++) {
                        int j = q * Sgemm.NR + jj;
                        pb[q * kc * Sgemm.NR + p * Sgemm.NR + jj] = j < nc ? b[(pc + p) * n + jc + j] : 0f;
                    }
                }
            }
        };
    }

    /** Shapes across the small path, the tiles, two K slices, and (at 2 threads) the thread grid; every kind. */
    private static List<Case> cases(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] shapes = {{13, 70, 300}, {5, 5, 5}, {130, 140, 120}, {97, 33, 1100}, {12, 600, 40}, {1, 17, 301},
            {200, 64, 256}, {8, 8, 8}};
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < 3 * shapes.length; i++) {
            int[] s = shapes[r.nextInt(shapes.length)];
            int m = s[0], n = s[1], k = s[2];
            Kind kind = Kind.values()[i % Kind.values().length];
            cases.add(new Case(kind + " " + m + "×" + n + "×" + k, m, n, k, SgemmTest.random(r, m * k),
                    SgemmTest.random(r, k * n), SgemmTest.random(r, m * n), kind));
        }
        return cases;
    }

    /** Runs body on a new thread (whose problem object is fresh) and returns its result. */
    private static float[] onFreshThread(Case c) throws InterruptedException {
        AtomicReference<float[]> out = new AtomicReference<>();
        Thread t = new Thread(() -> out.set(c.run()));
        t.start();
        t.join();
        return out.get();
    }

    @Test
    void aReusedProblemGivesTheBitsOfAFreshOne() throws InterruptedException {
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (Case c : cases(3)) { // one thread, one problem object, every kind of call in turn
                assertArrayEquals(onFreshThread(c), c.run(), c.what() + " after other calls, " + threads + " threads");
            }
        }
    }

    /** A B packing that runs another product on the same thread (the outer problem is still in use). */
    @Test
    void aProductInsideAnotherKeepsBothApart() {
        SplittableRandom r = new SplittableRandom(5);
        int m = 40, n = 100, k = 70;
        float[] a = SgemmTest.random(r, m * k), b = SgemmTest.random(r, k * n);
        int im = 30, in = 20, ik = 25; // the inner product: past the small path, so it uses a problem
        float[] ia = SgemmTest.random(r, im * ik), ib = SgemmTest.random(r, ik * in);
        float[] innerExpected = new float[im * in];
        Sgemm.sgemm(false, false, im, in, ik, 1f, ia, 0, ik, ib, 0, in, 0f, innerExpected, 0, in);
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            float[] plain = new float[m * n];
            Sgemm.sgemm(false, m, n, k, 1f, a, 0, k, panels(b, n), 0f, plain, 0, n);
            Sgemm.BPanels plainPanels = panels(b, n);
            AtomicReference<String> innerWrong = new AtomicReference<>();
            Sgemm.BPanels nesting = (pb, pc, kc, jc, nc) -> {
                float[] inner = new float[im * in];
                Sgemm.sgemm(false, false, im, in, ik, 1f, ia, 0, ik, ib, 0, in, 0f, inner, 0, in);
                if (!java.util.Arrays.equals(inner, innerExpected)) innerWrong.set("inner product differs");
                plainPanels.pack(pb, pc, kc, jc, nc);
            };
            float[] nested = new float[m * n];
            Sgemm.sgemm(false, m, n, k, 1f, a, 0, k, nesting, 0f, nested, 0, n);
            assertNull(innerWrong.get(), threads + " threads");
            assertArrayEquals(plain, nested, "outer product with nested calls, " + threads + " threads");
        }
    }

    /** Two threads calling SGEMM at once (the pool shared, at 2 threads) each get their own products. */
    @Test
    void concurrentCallersDoNotShareAProblem() throws InterruptedException {
        Parallel.setThreads(2);
        List<Case> first = cases(11), second = cases(12);
        List<float[]> firstExpected = new ArrayList<>(), secondExpected = new ArrayList<>();
        for (Case c : first) firstExpected.add(c.run());
        for (Case c : second) secondExpected.add(c.run());
        AtomicReference<String> wrong = new AtomicReference<>();
        Runnable[] bodies = new Runnable[2];
        for (int w = 0; w < 2; w++) {
            List<Case> cases = w == 0 ? first : second;
            List<float[]> expected = w == 0 ? firstExpected : secondExpected;
            bodies[w] = () -> {
                for (int rep = 0; rep < 5; rep++) {
                    for (int i = 0; i < cases.size(); i++) {
                        if (!java.util.Arrays.equals(cases.get(i).run(), expected.get(i))) {
                            wrong.compareAndSet(null, cases.get(i).what() + " in rep " + rep);
                        }
                    }
                }
            };
        }
        Thread t0 = new Thread(bodies[0]), t1 = new Thread(bodies[1]);
        t0.start();
        t1.start();
        t0.join();
        t1.join();
        assertEquals(null, wrong.get(), "a product computed concurrently with another thread's");
    }
}
