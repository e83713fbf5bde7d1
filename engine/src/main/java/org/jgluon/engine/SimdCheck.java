package org.jgluon.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.jgluon.engine.kernels.Sgemm;

/**
 * The start-up self check behind {@code ./jgluon info}: which vector species the JVM offers, whether
 * the Vector API is really compiled to SIMD instructions (a silent fallback to plain Java is the
 * main way this engine becomes slow: a missing {@code --add-modules}, an interpreter-only JVM, a
 * species that is not a constant), and a quick SGEMM rate. Most of its time is JIT warm-up: about
 * half a second to a second in a fresh JVM, up to a few seconds on a busy machine.
 */
public final class SimdCheck {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** A vector dot must beat the scalar one by this much to count as compiled to SIMD. */
    static final double SIMD_MIN_SPEEDUP = 2.0;
    /** Floats per dot product: fits in L1 so the rate measures arithmetic, not memory. */
    private static final int DOT_LEN = 4096;
    private static final int GEMM_N = 256;
    /** The product timed when the Vector API is not compiled (256³ would take seconds). */
    private static final int SLOW_GEMM_N = 48;
    /** Longest warm-ups: in a cold JVM on a busy machine C2 may need more than a second each. */
    private static final long DOT_WARMUP_NS = 1_500_000_000L, GEMM_WARMUP_NS = 2_500_000_000L;

    private SimdCheck() {}

    /** The measurements behind the report. */
    record Result(int bits, int lanes, double dotSpeedup, int gemmN, double sgemmGflops, boolean warm, int threads) {
        boolean simdCompiled() {
            return dotSpeedup >= SIMD_MIN_SPEEDUP;
        }
    }

    /** A few lines for {@code ./jgluon info}: species, SIMD verdict with the measured ratio, SGEMM rate. */
    public static String report() {
        return format(measure());
    }

    static String format(Result r) {
        String verdict = r.simdCompiled()
                ? String.format("yes (vector dot %.1fx scalar)", r.dotSpeedup)
                : String.format("NO (vector dot only %.1fx scalar): the Vector API runs as plain Java; "
                        + "start the JVM with --add-modules=jdk.incubator.vector and the C2 JIT", r.dotSpeedup);
        return String.format("SIMD: FloatVector %d-bit (%d floats per vector), compiled to SIMD: %s%n"
                        + "SGEMM %d^3: %.1f GFLOPS on %d thread%s%s",
                r.bits, r.lanes, verdict, r.gemmN, r.sgemmGflops, r.threads, r.threads == 1 ? "" : "s",
                r.warm ? "" : " (the JIT was still compiling the kernel: a busy machine; the rate is low)");
    }

    static Result measure() {
        double speedup = dotSpeedup(System.nanoTime() + DOT_WARMUP_NS);
        int threads = Parallel.threads();
        if (speedup < SIMD_MIN_SPEEDUP) {
            // Without SIMD the kernel is so slow that one small product is all the rate needs.
            return new Result(SPECIES.vectorBitSize(), SPECIES.length(), speedup, SLOW_GEMM_N,
                    sgemmGflops(SLOW_GEMM_N, 1), true, threads);
        }
        boolean warm = warmUpSgemm(System.nanoTime() + GEMM_WARMUP_NS);
        return new Result(SPECIES.vectorBitSize(), SPECIES.length(), speedup, GEMM_N, sgemmGflops(GEMM_N, warm ? 3 : 1), warm, threads);
    }

    /**
     * Scalar time over vector time for a dot product. In a cold JVM the Vector API runs
     * interpreted (hundreds of times slower than scalar) until C2 compiles it, so both dots are
     * warmed on short arrays until the vector one is clearly fast and stable, or until the
     * deadline (a JVM that never compiles it to SIMD only answers then).
     */
    private static double dotSpeedup(long deadline) {
        float[] x = new float[DOT_LEN], y = new float[DOT_LEN];
        for (int i = 0; i < DOT_LEN; i++) {
            x[i] = Rng.uniform(1, i);
            y[i] = Rng.uniform(2, i);
        }
        float[] xs = java.util.Arrays.copyOf(x, 64), ys = java.util.Arrays.copyOf(y, 64);
        double previous = Double.MAX_VALUE;
        while (System.nanoTime() < deadline) {
            timeDots(xs, ys, false, 2_000_000L);
            double vectorNs = timeDots(xs, ys, true, 5_000_000L);
            double scalarNs = timeDots(xs, ys, false, 2_000_000L);
            boolean stable = vectorNs > 0.8 * previous;
            previous = vectorNs;
            if (stable && scalarNs / vectorNs >= SIMD_MIN_SPEEDUP) break;
        }
        double vectorNs = timeDots(x, y, true, 15_000_000L);
        double scalarNs = timeDots(x, y, false, 15_000_000L);
        return scalarNs / vectorNs;
    }

    /** Nanoseconds per dot product, running for about {@code budgetNs}. */
    private static double timeDots(float[] x, float[] y, boolean vector, long budgetNs) {
        float sink = 0;
        int reps = 0;
        long t0 = System.nanoTime(), t;
        do {
            for (int i = 0; i < 16; i++) sink += vector ? vectorDot(x, y) : scalarDot(x, y);
            reps += 16;
            t = System.nanoTime();
        } while (t - t0 < budgetNs);
        if (sink == 42.4242f) System.out.print("");  // keeps the dots from being optimised away
        return (double) (t - t0) / reps;
    }

    static float vectorDot(float[] x, float[] y) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(x.length); i < bound; i += SPECIES.length()) {
            acc = FloatVector.fromArray(SPECIES, x, i).fma(FloatVector.fromArray(SPECIES, y, i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < x.length; i++) s += x[i] * y[i];
        return s;
    }

    /** In order, so C2 may not vectorise it (float addition is not associative). */
    static float scalarDot(float[] x, float[] y) {
        float s = 0;
        for (int i = 0; i < x.length; i++) s += x[i] * y[i];
        return s;
    }

    /**
     * Runs small products (each a fraction of a millisecond once compiled) until their rate stops
     * climbing: C2 has compiled the kernel. False if the deadline came first.
     */
    private static boolean warmUpSgemm(long deadline) {
        // 23 rows = 12 + 8 + 3 (the 12-, 8- and 4-row tiles; the 4-row one with a short last
        // panel) and 37 columns = 32 + a masked 5: every tile and edge path. (29 = 12 + 12 + 4 + 1
        // missed the 8-row tile, which a dense layer at batch 128 runs: 128 = 10 × 12 + 8.)
        int wm = 23, wn = 37, wk = 48;
        float[] wa = new float[wm * wk], wb = new float[wk * wn], wc = new float[wm * wn];
        double previous = 0;
        while (System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            int reps = 0;
            do {
                Sgemm.sgemm(false, false, wm, wn, wk, 1f, wa, 0, wk, wb, 0, wn, 0f, wc, 0, wn);
                reps++;
            } while (System.nanoTime() - t0 < 5_000_000L);
            double rate = 2.0 * wm * wn * wk * reps / (System.nanoTime() - t0);
            if (rate > 5 && rate < 1.2 * previous) return true;
            previous = Math.max(previous, rate);
        }
        return false;
    }

    /** Best rate of {@code runs} n³ products, and of more up to 60 ms when there are several. */
    private static double sgemmGflops(int n, int runs) {
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = Rng.uniform(3, i) - 0.5f;
            b[i] = Rng.uniform(4, i) - 0.5f;
        }
        long bestNs = Long.MAX_VALUE;
        long start = System.nanoTime();
        for (int run = 0; run < runs || (runs > 1 && System.nanoTime() - start < 60_000_000L); run++) {
            long t0 = System.nanoTime();
            Sgemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
            bestNs = Math.min(bestNs, System.nanoTime() - t0);
        }
        return 2.0 * n * n * n / bestNs;
    }
}
