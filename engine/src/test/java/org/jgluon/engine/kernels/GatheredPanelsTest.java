package org.jgluon.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * {@link GatheredPanels#gathered} packs exactly B's elements {@code src[base + row + col]} (0
 * past the last column), whichever way a panel is read: runs of plain loads, gathers, and the
 * right edge (runs with the lanes past the last column zeroed, or gathers where those loads
 * would run past the end of {@code src}).
 */
class GatheredPanelsTest {

    private static final int VL = GatheredPanels.vectorLength(), NR = 2 * VL;

    @Test
    void packsEveryPanelWidthAndReadingMode() {
        Random r = new Random(3);
        // output rows of `run` pixels in planes `stride` wide: runs of `run` consecutive offsets
        for (int run : new int[] {1, 4, 10, 16, 22, 40}) {
            for (int n = 1; n <= 3 * NR + 1; n += (n < NR + 2 ? 1 : 7)) {
                int stride = run + 4, kc = 7, base = 5;
                int[] rowOffset = new int[kc];
                for (int p = 1; p < kc; p++) rowOffset[p] = rowOffset[p - 1] + 1 + r.nextInt(3);
                int padded = (n + NR - 1) / NR * NR;
                int[] colOffset = new int[padded]; // offset 0 past n, as Im2colPanels pads its tables
                for (int j = 0; j < n; j++) colOffset[j] = j / run * stride + j % run;
                int[] runs = new int[(n + VL - 1) / VL];
                GatheredPanels.findRuns(colOffset, n, runs);
                int end = base + rowOffset[kc - 1] + colOffset[n - 1] + 1;
                // src with slack after the last element (plain loads fit) and ending right there (they do not)
                for (int slack : new int[] {NR, 0}) {
                    float[] src = new float[end + slack];
                    for (int i = 0; i < src.length; i++) src[i] = r.nextFloat() - 0.5f;
                    for (int[] table : new int[][] {runs, null}) {
                        float[] pb = new float[padded * kc];
                        java.util.Arrays.fill(pb, Float.NaN);
                        GatheredPanels.gathered(src, base, rowOffset, colOffset, table).pack(pb, 0, kc, 0, n);
                        for (int q = 0; q < padded / NR; q++) {
                            for (int p = 0; p < kc; p++) {
                                for (int l = 0; l < NR; l++) {
                                    int j = q * NR + l;
                                    float want = j < n ? src[base + rowOffset[p] + colOffset[j]] : 0f;
                                    assertEquals(want, pb[q * kc * NR + p * NR + l], "run " + run + ", n " + n + ", slack "
                                            + slack + (table == null ? ", no runs" : "") + ": column " + j + ", row " + p);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
