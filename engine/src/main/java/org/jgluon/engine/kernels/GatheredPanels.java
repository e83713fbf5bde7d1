package org.jgluon.engine.kernels;

import static org.jgluon.engine.kernels.Sgemm.NR;
import static org.jgluon.engine.kernels.Sgemm.SPECIES;
import static org.jgluon.engine.kernels.Sgemm.VL;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * SGEMM B panels gathered through offset tables instead of packed from a stored matrix
 * ({@link Sgemm.BPanels}): the implicit im2col of {@link Im2colPanels}, where the column matrix of
 * a convolution is read straight from the zero-padded images and never written.
 */
public final class GatheredPanels {

    private GatheredPanels() {}

    /**
     * Panels of a B whose element (p, j) is {@code src[base + rowOffset[p] + colOffset[j]]}: a
     * gather per vector. With the offsets of a kernel tap (rows) and of an output pixel (columns)
     * into a zero-padded image this is the column matrix without writing it; swapped, its transpose.
     *
     * <p>{@code runs} (or null) speeds up columns that are mostly consecutive in {@code src}
     * (stride-1 output rows): for the vector of columns starting at {@code j = v·VL} it holds
     * {@code runs[v]} = the number of runs of consecutive offsets in it (−1: more than
     * {@link #MAX_RUNS}, gather). Such a vector is one plain load per run and a blend each
     * instead of a gather (a gather cost ≈ 10 % of conv4 at 224). {@link #findRuns} admits only
     * increasing offsets, so the plain loads stay between a vector's first and last element. A {@code colOffset} padded to a whole panel (its length at
     * least n rounded up to 2·VL; any in-range offsets past n) lets the right-edge panel gather too.
     */
    public static Sgemm.BPanels gathered(float[] src, int base, int[] rowOffset, int[] colOffset, int[] runs) {
        return (pb, pc, kc, jc, nc) -> {
            int panels = (nc + NR - 1) / NR;
            for (int q = 0; q < panels; q++) {
                int j = jc + q * NR, cols = Math.min(NR, nc - q * NR);
                int dst = q * kc * NR;
                if (cols < NR && colOffset.length >= j + NR) {
                    // the right edge, with a table padded to whole panels: gathers, the lanes past
                    // column nc zeroed (conv1's 121 taps: a scalar edge panel cost 25 % of the pass)
                    VectorMask<Float> past0 = SPECIES.indexInRange(0, cols).not(), past1 = SPECIES.indexInRange(VL, cols).not();
                    for (int p = pc; p < pc + kc; p++, dst += NR) {
                        int at = base + rowOffset[p];
                        FloatVector.fromArray(SPECIES, src, at, colOffset, j).blend(0f, past0).intoArray(pb, dst);
                        FloatVector.fromArray(SPECIES, src, at, colOffset, j + VL).blend(0f, past1).intoArray(pb, dst + VL);
                    }
                    continue;
                }
                if (cols < NR) {
                    // the right edge of an unpadded table: scalar
                    for (int p = pc; p < pc + kc; p++, dst += NR) {
                        int at = base + rowOffset[p];
                        for (int jj = 0; jj < cols; jj++) pb[dst + jj] = src[at + colOffset[j + jj]];
                        for (int jj = cols; jj < NR; jj++) pb[dst + jj] = 0f;
                    }
                    continue;
                }
                if (runs == null || runs[j / VL] < 0 || runs[j / VL + 1] < 0) {
                    for (int p = pc; p < pc + kc; p++, dst += NR) {
                        int at = base + rowOffset[p];
                        FloatVector.fromArray(SPECIES, src, at, colOffset, j).intoArray(pb, dst);
                        FloatVector.fromArray(SPECIES, src, at, colOffset, j + VL).intoArray(pb, dst + VL);
                    }
                    continue;
                }
                // each half: up to MAX_RUNS plain loads, lanes from run s on taken from load s
                int r0 = runStarts(colOffset, j), r1 = runStarts(colOffset, j + VL);
                int s01 = r0 & 0xff, s02 = r0 >> 8 & 0xff, s03 = r0 >> 16 & 0xff;
                int s11 = r1 & 0xff, s12 = r1 >> 8 & 0xff, s13 = r1 >> 16 & 0xff;
                int a0 = colOffset[j], a1 = runDelta(colOffset, j, s01), a2 = runDelta(colOffset, j, s02),
                        a3 = runDelta(colOffset, j, s03);
                int b0 = colOffset[j + VL], b1 = runDelta(colOffset, j + VL, s11), b2 = runDelta(colOffset, j + VL, s12),
                        b3 = runDelta(colOffset, j + VL, s13);
                VectorMask<Float> m01 = from(s01), m02 = from(s02), m03 = from(s03);
                VectorMask<Float> m11 = from(s11), m12 = from(s12), m13 = from(s13);
                for (int p = pc; p < pc + kc; p++, dst += NR) {
                    int at = base + rowOffset[p];
                    FloatVector v0 = FloatVector.fromArray(SPECIES, src, at + a0);
                    if (s01 < VL) v0 = v0.blend(FloatVector.fromArray(SPECIES, src, at + a1), m01);
                    if (s02 < VL) v0 = v0.blend(FloatVector.fromArray(SPECIES, src, at + a2), m02);
                    if (s03 < VL) v0 = v0.blend(FloatVector.fromArray(SPECIES, src, at + a3), m03);
                    FloatVector v1 = FloatVector.fromArray(SPECIES, src, at + b0);
                    if (s11 < VL) v1 = v1.blend(FloatVector.fromArray(SPECIES, src, at + b1), m11);
                    if (s12 < VL) v1 = v1.blend(FloatVector.fromArray(SPECIES, src, at + b2), m12);
                    if (s13 < VL) v1 = v1.blend(FloatVector.fromArray(SPECIES, src, at + b3), m13);
                    v0.intoArray(pb, dst);
                    v1.intoArray(pb, dst + VL);
                }
            }
        };
    }

    /** Most runs of consecutive offsets per vector that {@link #gathered} loads plainly (4×4 outputs: 4). */
    private static final int MAX_RUNS = 4;

    /**
     * The lanes where the 2nd, 3rd and 4th run of consecutive offsets in {@code colOffset[j, j + VL)}
     * start, 8 bits each (VL for a run that does not exist).
     */
    private static int runStarts(int[] colOffset, int j) {
        int packed = 0, run = 1;
        for (int l = 1; l < VL && run < MAX_RUNS; l++) {
            if (colOffset[j + l] != colOffset[j + l - 1] + 1) packed |= l << (8 * (run++ - 1));
        }
        for (; run < MAX_RUNS; run++) packed |= VL << (8 * (run - 1));
        return packed;
    }

    /** Where a plain load for the run starting at lane {@code start} begins, relative to the row. */
    private static int runDelta(int[] colOffset, int j, int start) {
        return start < VL ? colOffset[j + start] - start : 0;
    }

    /** The lanes from {@code start} on. */
    private static VectorMask<Float> from(int start) {
        return SPECIES.indexInRange(0, start).not();
    }

    /**
     * The {@code runs} table of {@link #gathered} for the first {@code n} entries of
     * {@code colOffset}, into {@code runs} (at least {@code ceil(n / VL)} ints): per vector the
     * number of runs of consecutive offsets, or −1 when more than {@link #MAX_RUNS} (gathered).
     */
    public static void findRuns(int[] colOffset, int n, int[] runs) {
        for (int v = 0, j = 0; j < n; v++, j += VL) {
            int lanes = Math.min(VL, n - j), count = 1;
            boolean increasing = true;
            for (int l = 1; l < lanes; l++) {
                if (colOffset[j + l] != colOffset[j + l - 1] + 1) count++;
                if (colOffset[j + l] <= colOffset[j + l - 1]) increasing = false;
            }
            // increasing offsets keep every plain load within the vector's first and last element
            runs[v] = increasing && count <= MAX_RUNS ? count : -1;
        }
    }

    /** Floats per vector: the grain of {@link #findRuns}. */
    public static int vectorLength() {
        return VL;
    }
}
