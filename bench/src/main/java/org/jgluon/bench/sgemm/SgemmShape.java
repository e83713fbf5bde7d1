package org.jgluon.bench.sgemm;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jgluon.engine.Rng;

/**
 * The GEMM shapes the benchmarks run: squares and the im2col products of the seed AlexNet
 * (Fashion-MNIST, 1 input channel) per image, at 224 and at 96 pixels. For a convolution with F
 * filters over C channels, a kh×kw kernel and an OH×OW output, forward is W (F × C·kh·kw) times
 * the column matrix (C·kh·kw × OH·OW): M = F, N = OH·OW, K = C·kh·kw. The ".dW" and ".dX" shapes
 * are conv2's two backward products at 224; "dense1@224" is the first dense layer at batch 128.
 *
 * <p>Spatial sizes: 224 → conv1 (11×11 stride 4) 54 → pool 26 → conv2 (5×5 pad 2) 26 → pool 12 →
 * conv3..5 (3×3 pad 1) 12; 96 → 22 → 10 → 10 → 4 → 4.
 */
public record SgemmShape(String name, boolean transA, boolean transB, int m, int n, int k) {

    public static final Map<String, SgemmShape> ALL = new LinkedHashMap<>();

    static {
        for (int s : new int[] {256, 512, 1024, 2048}) add(String.valueOf(s), false, false, s, s, s);
        conv(224, 54, 26, 12);
        conv(96, 22, 10, 4);
        // conv2 at 224 backward: dW = dY (F × OHOW) · colᵀ, dcol = Wᵀ · dY.
        add("conv2@224.dW", false, true, 256, 96 * 25, 26 * 26);
        add("conv2@224.dX", true, false, 96 * 25, 26 * 26, 256);
        // The first dense layer at 224 (6400 → 4096, batch 128): y = x·Wᵀ, dx = dy·W, dW = dyᵀ·x.
        add("dense1@224", false, true, 128, 4096, 6400);
        add("dense1@224.dX", false, false, 128, 6400, 4096);
        add("dense1@224.dW", true, false, 4096, 6400, 128);
    }

    private static void conv(int res, int out1, int out2, int out3) {
        add("conv1@" + res, false, false, 96, out1 * out1, 1 * 11 * 11);
        add("conv2@" + res, false, false, 256, out2 * out2, 96 * 5 * 5);
        add("conv3@" + res, false, false, 384, out3 * out3, 256 * 3 * 3);
        add("conv4@" + res, false, false, 384, out3 * out3, 384 * 3 * 3);
        add("conv5@" + res, false, false, 256, out3 * out3, 384 * 3 * 3);
    }

    private static void add(String name, boolean ta, boolean tb, int m, int n, int k) {
        ALL.put(name, new SgemmShape(name, ta, tb, m, n, k));
    }

    public static SgemmShape of(String name) {
        SgemmShape s = ALL.get(name);
        if (s == null) throw new IllegalArgumentException("unknown SGEMM shape '" + name + "'; known: " + ALL.keySet());
        return s;
    }

    /** Floating-point operations of one product, in units of 10⁹. */
    public double gflop() {
        return 2.0 * m * n * k / 1e9;
    }

    public int lda() { return transA ? m : k; }
    public int ldb() { return transB ? k : n; }

    /** Operands filled with values in [-0.5, 0.5) and a C of the right size. */
    public float[][] operands() {
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = Rng.uniform(1, i) - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = Rng.uniform(2, i) - 0.5f;
        return new float[][] {a, b, c};
    }

    @Override
    public String toString() {
        return name + " (M=" + m + ", N=" + n + ", K=" + k + (transA ? ", Aᵀ" : "") + (transB ? ", Bᵀ" : "") + ")";
    }
}
