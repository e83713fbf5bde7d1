package org.jgluon.engine.kernels;

import static org.jgluon.engine.kernels.Sgemm.MR;
import static org.jgluon.engine.kernels.Sgemm.NR;
import static org.jgluon.engine.kernels.Sgemm.SPECIES;
import static org.jgluon.engine.kernels.Sgemm.VL;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * {@link Sgemm}'s register tiles (the hot loops: rows of packed A broadcast against two vectors of
 * a packed B panel, accumulators held in locals across the K loop) and the write-back of a finished
 * tile into C. Split from Sgemm so that the blocking and packing read on their own.
 */
final class SgemmTiles {

    private SgemmTiles() {}

    // The register tiles. Each element of C is an FMA chain over p starting from zero, the same
    // in every tile, so which tile computes an element never changes its bits.

    static void tile12(float[] pa, int ai, float[] pb, int bi, int kc,
                               float[] acc) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        FloatVector c80 = z, c81 = z, c90 = z, c91 = z, ca0 = z, ca1 = z, cb0 = z, cb1 = z;
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + VL);
            FloatVector av = FloatVector.broadcast(SPECIES, pa[ai]);
            c00 = b0.fma(av, c00); c01 = b1.fma(av, c01);
            av = FloatVector.broadcast(SPECIES, pa[ai + 1]);
            c10 = b0.fma(av, c10); c11 = b1.fma(av, c11);
            av = FloatVector.broadcast(SPECIES, pa[ai + 2]);
            c20 = b0.fma(av, c20); c21 = b1.fma(av, c21);
            av = FloatVector.broadcast(SPECIES, pa[ai + 3]);
            c30 = b0.fma(av, c30); c31 = b1.fma(av, c31);
            av = FloatVector.broadcast(SPECIES, pa[ai + 4]);
            c40 = b0.fma(av, c40); c41 = b1.fma(av, c41);
            av = FloatVector.broadcast(SPECIES, pa[ai + 5]);
            c50 = b0.fma(av, c50); c51 = b1.fma(av, c51);
            av = FloatVector.broadcast(SPECIES, pa[ai + 6]);
            c60 = b0.fma(av, c60); c61 = b1.fma(av, c61);
            av = FloatVector.broadcast(SPECIES, pa[ai + 7]);
            c70 = b0.fma(av, c70); c71 = b1.fma(av, c71);
            av = FloatVector.broadcast(SPECIES, pa[ai + 8]);
            c80 = b0.fma(av, c80); c81 = b1.fma(av, c81);
            av = FloatVector.broadcast(SPECIES, pa[ai + 9]);
            c90 = b0.fma(av, c90); c91 = b1.fma(av, c91);
            av = FloatVector.broadcast(SPECIES, pa[ai + 10]);
            ca0 = b0.fma(av, ca0); ca1 = b1.fma(av, ca1);
            av = FloatVector.broadcast(SPECIES, pa[ai + 11]);
            cb0 = b0.fma(av, cb0); cb1 = b1.fma(av, cb1);
        }
        c00.intoArray(acc, 0 * VL); c01.intoArray(acc, 1 * VL);
        c10.intoArray(acc, 2 * VL); c11.intoArray(acc, 3 * VL);
        c20.intoArray(acc, 4 * VL); c21.intoArray(acc, 5 * VL);
        c30.intoArray(acc, 6 * VL); c31.intoArray(acc, 7 * VL);
        c40.intoArray(acc, 8 * VL); c41.intoArray(acc, 9 * VL);
        c50.intoArray(acc, 10 * VL); c51.intoArray(acc, 11 * VL);
        c60.intoArray(acc, 12 * VL); c61.intoArray(acc, 13 * VL);
        c70.intoArray(acc, 14 * VL); c71.intoArray(acc, 15 * VL);
        c80.intoArray(acc, 16 * VL); c81.intoArray(acc, 17 * VL);
        c90.intoArray(acc, 18 * VL); c91.intoArray(acc, 19 * VL);
        ca0.intoArray(acc, 20 * VL); ca1.intoArray(acc, 21 * VL);
        cb0.intoArray(acc, 22 * VL); cb1.intoArray(acc, 23 * VL);
    }

    /** {@link #tile12} reading A in place: 12 rows of a row-major A, {@code lda} apart. */
    static void tile12Direct(float[] a, int a0, int lda, float[] pb, int bi, int kc,
                                     float[] acc) {
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        int a6 = a5 + lda, a7 = a6 + lda, a8 = a7 + lda, a9 = a8 + lda, aa = a9 + lda, ab = aa + lda;
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        FloatVector c80 = z, c81 = z, c90 = z, c91 = z, ca0 = z, ca1 = z, cb0 = z, cb1 = z;
        for (int p = 0; p < kc; p++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + VL);
            FloatVector av = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = b0.fma(av, c00); c01 = b1.fma(av, c01);
            av = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = b0.fma(av, c10); c11 = b1.fma(av, c11);
            av = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = b0.fma(av, c20); c21 = b1.fma(av, c21);
            av = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = b0.fma(av, c30); c31 = b1.fma(av, c31);
            av = FloatVector.broadcast(SPECIES, a[a4 + p]);
            c40 = b0.fma(av, c40); c41 = b1.fma(av, c41);
            av = FloatVector.broadcast(SPECIES, a[a5 + p]);
            c50 = b0.fma(av, c50); c51 = b1.fma(av, c51);
            av = FloatVector.broadcast(SPECIES, a[a6 + p]);
            c60 = b0.fma(av, c60); c61 = b1.fma(av, c61);
            av = FloatVector.broadcast(SPECIES, a[a7 + p]);
            c70 = b0.fma(av, c70); c71 = b1.fma(av, c71);
            av = FloatVector.broadcast(SPECIES, a[a8 + p]);
            c80 = b0.fma(av, c80); c81 = b1.fma(av, c81);
            av = FloatVector.broadcast(SPECIES, a[a9 + p]);
            c90 = b0.fma(av, c90); c91 = b1.fma(av, c91);
            av = FloatVector.broadcast(SPECIES, a[aa + p]);
            ca0 = b0.fma(av, ca0); ca1 = b1.fma(av, ca1);
            av = FloatVector.broadcast(SPECIES, a[ab + p]);
            cb0 = b0.fma(av, cb0); cb1 = b1.fma(av, cb1);
        }
        c00.intoArray(acc, 0 * VL); c01.intoArray(acc, 1 * VL);
        c10.intoArray(acc, 2 * VL); c11.intoArray(acc, 3 * VL);
        c20.intoArray(acc, 4 * VL); c21.intoArray(acc, 5 * VL);
        c30.intoArray(acc, 6 * VL); c31.intoArray(acc, 7 * VL);
        c40.intoArray(acc, 8 * VL); c41.intoArray(acc, 9 * VL);
        c50.intoArray(acc, 10 * VL); c51.intoArray(acc, 11 * VL);
        c60.intoArray(acc, 12 * VL); c61.intoArray(acc, 13 * VL);
        c70.intoArray(acc, 14 * VL); c71.intoArray(acc, 15 * VL);
        c80.intoArray(acc, 16 * VL); c81.intoArray(acc, 17 * VL);
        c90.intoArray(acc, 18 * VL); c91.intoArray(acc, 19 * VL);
        ca0.intoArray(acc, 20 * VL); ca1.intoArray(acc, 21 * VL);
        cb0.intoArray(acc, 22 * VL); cb1.intoArray(acc, 23 * VL);
    }

    /** The 12-row tile on a panel with at most one vector of columns left (the right edge of C). */
    static void tile12Half(float[] pa, int ai, float[] pb, int bi, int kc,
                                   float[] acc) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z, c6 = z, c7 = z, c8 = z, c9 = z, ca = z, cb = z;
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            c0 = b0.fma(FloatVector.broadcast(SPECIES, pa[ai]), c0);
            c1 = b0.fma(FloatVector.broadcast(SPECIES, pa[ai + 1]), c1);
            c2 = b0.fma(FloatVector.broadcast(SPECIES, pa[ai + 2]), c2);
            c3 = b0.fma(FloatVector.broadcast(SPECIES, pa[ai + 3]), c3);
            c4 = b0.fma(FloatVector.broadcast(SPECIES, pa[ai + 4]), c4);
            c5 = b0.fma(FloatVector.broadcast(SPECIES, pa[ai + 5]), c5);
            c6 = b0.fma(FloatVector.broadcast(SPECIES, pa[ai + 6]), c6);
            c7 = b0.fma(FloatVector.broadcast(SPECIES, pa[ai + 7]), c7);
            c8 = b0.fma(FloatVector.broadcast(SPECIES, pa[ai + 8]), c8);
            c9 = b0.fma(FloatVector.broadcast(SPECIES, pa[ai + 9]), c9);
            ca = b0.fma(FloatVector.broadcast(SPECIES, pa[ai + 10]), ca);
            cb = b0.fma(FloatVector.broadcast(SPECIES, pa[ai + 11]), cb);
        }
        // Only the first vector of each scratch row is read back (cols <= VL).
        c0.intoArray(acc, 0 * NR); c1.intoArray(acc, 1 * NR); c2.intoArray(acc, 2 * NR); c3.intoArray(acc, 3 * NR);
        c4.intoArray(acc, 4 * NR); c5.intoArray(acc, 5 * NR); c6.intoArray(acc, 6 * NR); c7.intoArray(acc, 7 * NR);
        c8.intoArray(acc, 8 * NR); c9.intoArray(acc, 9 * NR); ca.intoArray(acc, 10 * NR); cb.intoArray(acc, 11 * NR);
    }

    /** The tile of an 8-row panel (8 broadcasts of A times two B vectors). */
    static void tile8(float[] pa, int ai, float[] pb, int bi, int kc, float[] acc) {
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        for (int p = 0; p < kc; p++, ai += 8, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + VL);
            FloatVector av = FloatVector.broadcast(SPECIES, pa[ai]);
            c00 = b0.fma(av, c00); c01 = b1.fma(av, c01);
            av = FloatVector.broadcast(SPECIES, pa[ai + 1]);
            c10 = b0.fma(av, c10); c11 = b1.fma(av, c11);
            av = FloatVector.broadcast(SPECIES, pa[ai + 2]);
            c20 = b0.fma(av, c20); c21 = b1.fma(av, c21);
            av = FloatVector.broadcast(SPECIES, pa[ai + 3]);
            c30 = b0.fma(av, c30); c31 = b1.fma(av, c31);
            av = FloatVector.broadcast(SPECIES, pa[ai + 4]);
            c40 = b0.fma(av, c40); c41 = b1.fma(av, c41);
            av = FloatVector.broadcast(SPECIES, pa[ai + 5]);
            c50 = b0.fma(av, c50); c51 = b1.fma(av, c51);
            av = FloatVector.broadcast(SPECIES, pa[ai + 6]);
            c60 = b0.fma(av, c60); c61 = b1.fma(av, c61);
            av = FloatVector.broadcast(SPECIES, pa[ai + 7]);
            c70 = b0.fma(av, c70); c71 = b1.fma(av, c71);
        }
        c00.intoArray(acc, 0 * VL); c01.intoArray(acc, 1 * VL);
        c10.intoArray(acc, 2 * VL); c11.intoArray(acc, 3 * VL);
        c20.intoArray(acc, 4 * VL); c21.intoArray(acc, 5 * VL);
        c30.intoArray(acc, 6 * VL); c31.intoArray(acc, 7 * VL);
        c40.intoArray(acc, 8 * VL); c41.intoArray(acc, 9 * VL);
        c50.intoArray(acc, 10 * VL); c51.intoArray(acc, 11 * VL);
        c60.intoArray(acc, 12 * VL); c61.intoArray(acc, 13 * VL);
        c70.intoArray(acc, 14 * VL); c71.intoArray(acc, 15 * VL);
    }

    /**
     * The tile of a 4-row panel, or of the last panel of {@code h} = 1-3 rows: its missing rows
     * repeat the last one (computed and not stored). One method for every row tail rather than a
     * 1-row tile too: a tile that only the rare shapes reach (the 10-class dense layer's weight
     * gradient) runs in C1's code for its first hundreds of calls, where every vector is a heap
     * object (≈ 8 MB per AlexNet-BN step at 224 for the first ten steps).
     */
    static void tile4(float[] pa, int ai, int h, float[] pb, int bi, int kc,
                              float[] acc) {
        int r1 = Math.min(1, h - 1), r2 = Math.min(2, h - 1), r3 = Math.min(3, h - 1);
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        for (int p = 0; p < kc; p++, ai += h, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + VL);
            FloatVector av = FloatVector.broadcast(SPECIES, pa[ai]);
            c00 = b0.fma(av, c00); c01 = b1.fma(av, c01);
            av = FloatVector.broadcast(SPECIES, pa[ai + r1]);
            c10 = b0.fma(av, c10); c11 = b1.fma(av, c11);
            av = FloatVector.broadcast(SPECIES, pa[ai + r2]);
            c20 = b0.fma(av, c20); c21 = b1.fma(av, c21);
            av = FloatVector.broadcast(SPECIES, pa[ai + r3]);
            c30 = b0.fma(av, c30); c31 = b1.fma(av, c31);
        }
        c00.intoArray(acc, 0 * VL); c01.intoArray(acc, 1 * VL);
        c10.intoArray(acc, 2 * VL); c11.intoArray(acc, 3 * VL);
        c20.intoArray(acc, 4 * VL); c21.intoArray(acc, 5 * VL);
        c30.intoArray(acc, 6 * VL); c31.intoArray(acc, 7 * VL);
    }

    /**
     * Writes a finished tile from the scratch {@code acc} (rows × NR): {@code C = alpha * acc +
     * cScale * C}, not reading C when cScale is 0 (beta = 0 must ignore whatever C holds, NaN
     * included). Masked when the tile is cut by the right edge of C. Kept out of the tile methods
     * so that they stay small enough for C2 to keep every accumulator in a register.
     */
    static void update(float[] acc, int rows, float[] c, int ci, int ldc, int cols,
                               float alpha, float cScale) {
        FloatVector va = FloatVector.broadcast(SPECIES, alpha);
        FloatVector vs = FloatVector.broadcast(SPECIES, cScale);
        if (cols == NR) {
            for (int r = 0; r < rows; r++, ci += ldc) {
                FloatVector r0 = FloatVector.fromArray(SPECIES, acc, r * NR).mul(va);
                FloatVector r1 = FloatVector.fromArray(SPECIES, acc, r * NR + VL).mul(va);
                if (cScale != 0f) {
                    r0 = FloatVector.fromArray(SPECIES, c, ci).fma(vs, r0);
                    r1 = FloatVector.fromArray(SPECIES, c, ci + VL).fma(vs, r1);
                }
                r0.intoArray(c, ci);
                r1.intoArray(c, ci + VL);
            }
        } else {
            VectorMask<Float> m0 = SPECIES.indexInRange(0, cols);
            VectorMask<Float> m1 = SPECIES.indexInRange(VL, cols);
            for (int r = 0; r < rows; r++, ci += ldc) {
                FloatVector r0 = FloatVector.fromArray(SPECIES, acc, r * NR).mul(va);
                FloatVector r1 = FloatVector.fromArray(SPECIES, acc, r * NR + VL).mul(va);
                if (cScale != 0f) {
                    r0 = FloatVector.fromArray(SPECIES, c, ci, m0).fma(vs, r0);
                    // an all-false mask past the array's end takes the Vector API's checked slow
                    // path, which allocates (a boolean[] per load): only load what is stored
                    if (cols > VL) r1 = FloatVector.fromArray(SPECIES, c, ci + VL, m1).fma(vs, r1);
                }
                r0.intoArray(c, ci, m0);
                if (cols > VL) r1.intoArray(c, ci + VL, m1);
            }
        }
    }

    /**
     * {@link #update} for a C stored transposed (element (i, j) at {@code ci + j·ldc + i} from the
     * tile's corner): the same arithmetic per element, so the bits equal those of the plain layout.
     */
    static void updateTransposed(float[] acc, int rows, float[] c, int ci, int ldc, int cols,
                                         float alpha, float cScale) {
        for (int j = 0; j < cols; j++, ci += ldc) {
            for (int r = 0; r < rows; r++) {
                float v = acc[r * NR + j] * alpha;
                c[ci + r] = cScale == 0f ? v : Math.fma(c[ci + r], cScale, v);
            }
        }
    }
}
