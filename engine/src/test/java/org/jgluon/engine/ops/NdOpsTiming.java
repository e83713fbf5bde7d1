package org.jgluon.engine.ops;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.Rng;
import org.jgluon.engine.Tensor;

/**
 * A rough wall-clock look at the element-wise, broadcast, reduction and layout paths (not a
 * test, not JMH: a quick check that they run near memory speed). Run from the repository root:
 * {@code ./build -o -q test-compile -pl engine && java --add-modules jdk.incubator.vector
 * -cp engine/target/classes:engine/target/test-classes org.jgluon.engine.ops.NdOpsTiming}
 */
public final class NdOpsTiming {

    private NdOpsTiming() {}

    interface Body {
        Tensor run();
    }

    /** Best of several runs, in milliseconds, and the implied GB/s for the bytes it must move. */
    static void time(String label, double bytes, Body body) {
        for (int i = 0; i < 5; i++) body.run();
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 15; i++) {
            long t0 = System.nanoTime();
            body.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e6);
        }
        System.out.printf("  %-44s %8.2f ms  %6.1f GB/s%n", label, best, bytes / best / 1e6);
    }

    public static void main(String[] args) {
        Rng.seedGlobal(1);
        int n = 1 << 24;
        Tensor a = NdOps.randomUniform(-1, 1, n), b = NdOps.randomUniform(-1, 1, n);
        Tensor img = NdOps.randomUniform(-1, 1, 64, 96, 54, 54);
        Tensor chan = NdOps.randomUniform(-1, 1, 1, 96, 1, 1);
        Tensor mat = NdOps.randomUniform(-1, 1, 2048, 2048);
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            System.out.println(threads + " thread(s):");
            time("add (16M) + (16M)", 12.0 * n, () -> NdOps.add(a, b));
            time("mulScalar (16M)", 8.0 * n, () -> NdOps.mulScalar(a, 3f));
            time("exp (16M)", 8.0 * n, () -> NdOps.exp(a));
            time("sum all (16M)", 4.0 * n, () -> NdOps.sum(a));
            time("mul (64,96,54,54) * (1,96,1,1)", 8.0 * img.size(), () -> NdOps.mul(img, chan));
            time("sum axes (0,2,3) of (64,96,54,54)", 4.0 * img.size(), () -> NdOps.sum(img, new int[] {0, 2, 3}, false));
            time("sum axis 0 of (2048,2048)", 4.0 * mat.size(), () -> NdOps.sum(mat, new int[] {0}, false));
            time("sum axis 1 of (2048,2048)", 4.0 * mat.size(), () -> NdOps.sum(mat, new int[] {1}, false));
            time("transpose (2048,2048)", 8.0 * mat.size(), () -> NdOps.transpose(mat));
            time("argmax axis 1 of (2048,2048)", 4.0 * mat.size(), () -> NdOps.argmax(mat, 1));
        }
    }
}
