package org.jgluon.gluon.optimizer;

import static org.junit.jupiter.api.Assertions.*;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.Rng;
import org.jgluon.gluon.Kwargs;
import org.junit.jupiter.api.Test;

/** The Vector API SGD update against its scalar twin: bit-identical on odd sizes and thread counts. */
class SGDVectorTest {

    private static float[] rnd(Rng r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextUniform(-2f, 2f);
        return a;
    }

    @Test
    void vectorEqualsReferenceBitForBit() {
        int threads = Parallel.threads();
        try {
            for (float momentum : new float[] {0f, 0.9f}) {
                for (int n : new int[] {1, 7, 15, 16, 17, 33, 1000, 65536 * 2 + 3}) {
                    Rng r = new Rng(n);
                    float[] w0 = rnd(r, n + 3), g = rnd(r, n + 5), m0 = rnd(r, n);
                    SGD sgd = new SGD(Kwargs.kw("momentum", momentum, "wd", 0.01));
                    sgd.setRescaleGrad(1f / 3);
                    // reference
                    float[] wr = w0.clone(), mr = m0.clone();
                    sgd.reference(wr, 3, g, 5, 0, n, new float[][] {mr}, 0.1f, 0.01f);
                    for (int th : new int[] {1, 2}) {
                        Parallel.setThreads(th);
                        float[] wv = w0.clone(), mv = m0.clone();
                        new SGD(Kwargs.kw("momentum", momentum, "wd", 0.01, "learning_rate", 0.1))
                                .withRescale(1f / 3).update(0, wv, 3, g, 5, n, new float[][] {mv}, 1f, 1f);
                        assertArrayEquals(wr, wv, "w, n=" + n + " momentum=" + momentum + " threads=" + th);
                        if (momentum != 0f) assertArrayEquals(mr, mv, "mom, n=" + n);
                    }
                }
            }
        } finally {
            Parallel.setThreads(threads);
        }
    }
}
