package org.jgluon.engine.kernels;

import static org.jgluon.engine.kernels.Conv2dWinogradTransforms.XI;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.kernels.Conv2dWinogradTransforms.Tiles;

/**
 * 3×3 stride-1 convolutions (groups 1, dilation 1, any padding) in Winograd's F(2×2, 3×3) domain:
 * 16 multiplies per 2×2 output tile and channel where the direct convolution needs 36. For a
 * block of P tiles (whole images, or tile rows of one image when an image alone has more tiles
 * than a block), with ξ one of the 16 elements of the 4×4 domain ({@link Conv2dWinogradTransforms}):
 * <pre>
 *   forward          U[ξ] (F × C) = G w Gᵀ      V[ξ] (C × P) = Bᵀ d B      M[ξ] = U[ξ]·V[ξ]      y = Aᵀ M A + bias
 *   backward-data    dM[ξ] (F × P) = A dy Aᵀ    dV[ξ] (C × P) = U[ξ]ᵀ·dM[ξ]                       dx += B dV Bᵀ
 *   backward-weights dU[ξ] (F × C) = Σ_blocks dM[ξ]·V[ξ]ᵀ                                        dw += Gᵀ dU G
 * </pre>
 * (the bias gradient is {@link Conv2dKernels#backwardBias}). Every pass is exact up to round-off:
 * the transforms are linear and the backward passes are their adjoints.
 *
 * <p>Threads: forward and backward-data give each thread whole blocks of images (its SGEMMs run
 * inline, its transforms write its own scratch), so they never reduce across the split; with
 * fewer blocks than threads (small batches) the blocks run in turn and SGEMM splits each product.
 * The weight gradient goes through fixed blocks of images one after the other, the transforms
 * of a block split over channels and filters, its 16 GEMMs over ξ, each dU[ξ] accumulating the
 * blocks in block order: the bits do not depend on the thread count. V is recomputed there
 * rather than kept from the forward (at 224 it would be 16·C·4608 floats per layer).
 *
 * <p>Scratch (Winograd-domain blocks, transformed and packed weights) is per thread and kept
 * across calls; a block holds at most {@link #MAX_DOMAIN_FLOATS} floats per buffer.
 */
public final class Conv2dWinograd {

    /**
     * Tiles per block of the forward and backward-data passes (the GEMMs' n). At 96 (4 tiles per
     * image) 32 images: 4 blocks of 128 images over 2 threads.
     */
    static final int TARGET_TILES = 128;
    /** Tiles per block of the weight gradient (the GEMMs' k): fewer, deeper updates of dU. */
    static final int WEIGHT_TILES = 512;
    /** Cap on one Winograd-domain buffer of a block (16 · max(C, F) · P floats): bounds the scratch. */
    static final int MAX_DOMAIN_FLOATS = 1 << 22;

    private Conv2dWinograd() {}

    /** True when this path computes the convolution g: 3×3 kernel, stride 1, dilation 1, groups 1. */
    public static boolean applies(Conv2dGeometry g) {
        return g.kh() == 3 && g.kw() == 3 && g.strideH() == 1 && g.strideW() == 1 && g.dilH() == 1 && g.dilW() == 1
                && g.groups() == 1;
    }

    /** y (n, f, oh, ow) = conv(x (n, c, h, w), w (f, c, 3, 3)) + bias (f) (bias may be null). */
    public static void forward(Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff,
                               float[] bias, int biasOff, float[] y, int yOff) {
        require(g);
        Tiles t = Tiles.of(g);
        int c = g.c(), f = g.f(), in = g.inPixels(), out = g.outPixels();
        Sgemm.PackedA[] u = transformedWeights(g, w, wOff, false);
        forEachBlock(g, t, blocking(g, t, TARGET_TILES), (i0, i1, ty0, ty1) -> {
            int perImage = (ty1 - ty0) * t.tw(), p = (i1 - i0) * perImage;
            float[] v = Scratch.V.of(XI * c * p), m = Scratch.M.of(XI * f * p), plane = Scratch.PLANE.of(t.hp() * t.wp());
            for (int i = i0; i < i1; i++) {
                for (int ch = 0; ch < c; ch++) {
                    Conv2dWinogradTransforms.padRows(g, t, ty0, ty1, x, xOff + (i * c + ch) * in, plane);
                    Conv2dWinogradTransforms.input(t, ty0, ty1, plane, v, ch * p + (i - i0) * perImage, c * p, 1);
                }
            }
            for (int xi = 0; xi < XI; xi++) Sgemm.sgemm(u[xi], false, p, 1f, v, xi * c * p, p, 0f, m, xi * f * p, p);
            for (int i = i0; i < i1; i++) {
                for (int ff = 0; ff < f; ff++) {
                    Conv2dWinogradTransforms.output(g, t, ty0, ty1, m, ff * p + (i - i0) * perImage, f * p, 1,
                            bias == null ? 0f : bias[biasOff + ff], y, yOff + (i * f + ff) * out);
                }
            }
        });
    }

    /** dx (n, c, h, w) += the gradient of the convolution's input, given dy (n, f, oh, ow). */
    public static void backwardData(Conv2dGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff) {
        require(g);
        Tiles t = Tiles.of(g);
        int c = g.c(), f = g.f(), in = g.inPixels(), out = g.outPixels();
        Sgemm.PackedA[] ut = transformedWeights(g, w, wOff, true);
        // Blocks of whole images, or tile rows of one image handled by one thread in turn: the
        // overlapping tiles' sums into dx never race.
        forEachBlock(g, t, blocking(g, t, TARGET_TILES), (i0, i1, ty0, ty1) -> {
            int perImage = (ty1 - ty0) * t.tw(), p = (i1 - i0) * perImage;
            float[] dm = Scratch.M.of(XI * f * p), dv = Scratch.V.of(XI * c * p), plane = Scratch.PLANE.of(t.hp() * t.wp());
            for (int i = i0; i < i1; i++) {
                for (int ff = 0; ff < f; ff++) {
                    Conv2dWinogradTransforms.outputAdjoint(g, t, ty0, ty1, dy, dyOff + (i * f + ff) * out, dm,
                            ff * p + (i - i0) * perImage, f * p, 1);
                }
            }
            for (int xi = 0; xi < XI; xi++) Sgemm.sgemm(ut[xi], false, p, 1f, dm, xi * f * p, p, 0f, dv, xi * c * p, p);
            for (int i = i0; i < i1; i++) {
                for (int ch = 0; ch < c; ch++) {
                    Conv2dWinogradTransforms.inputAdjoint(g, t, ty0, ty1, dv, ch * p + (i - i0) * perImage, c * p, 1,
                            plane, dx, dxOff + (i * c + ch) * in);
                }
            }
        });
    }

    /** dw (f, c, 3, 3) += the gradient of the convolution's weights, given x and dy; the same bits for any thread count. */
    public static void backwardWeights(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff) {
        require(g);
        Tiles t = Tiles.of(g);
        int n = g.n(), c = g.c(), f = g.f(), in = g.inPixels(), out = g.outPixels();
        Blocking b = blocking(g, t, WEIGHT_TILES);
        int maxP = b.images() * b.tileRows() * t.tw();
        // All in the calling thread's scratch, shared by the workers of each phase.
        float[] du = Scratch.DU.of(XI * f * c), vt = Scratch.SHARED_V.of(XI * maxP * c), dm = Scratch.SHARED_M.of(XI * f * maxP);
        boolean first = true;
        for (int i0 = 0; i0 < n; i0 += b.images()) {
            int i1 = Math.min(n, i0 + b.images());
            for (int ty0 = 0; ty0 < t.th(); ty0 += b.tileRows()) {
                int ty1 = Math.min(t.th(), ty0 + b.tileRows()), bi0 = i0, perImage = (ty1 - ty0) * t.tw();
                int p = (i1 - i0) * perImage, tyFrom = ty0;
                // Vᵀ[ξ] (P × C): the GEMM's B in place, no transposed packing
                Parallel.forRange(c, 1, (lo, hi) -> {
                    float[] plane = Scratch.PLANE.of(t.hp() * t.wp());
                    for (int ch = lo; ch < hi; ch++) {
                        for (int i = bi0; i < i1; i++) {
                            Conv2dWinogradTransforms.padRows(g, t, tyFrom, ty1, x, xOff + (i * c + ch) * in, plane);
                            Conv2dWinogradTransforms.input(t, tyFrom, ty1, plane, vt, (i - bi0) * perImage * c + ch, p * c, c);
                        }
                    }
                });
                Parallel.forRange(f, 1, (lo, hi) -> {
                    for (int ff = lo; ff < hi; ff++) {
                        for (int i = bi0; i < i1; i++) {
                            Conv2dWinogradTransforms.outputAdjoint(g, t, tyFrom, ty1, dy, dyOff + (i * f + ff) * out, dm,
                                    ff * p + (i - bi0) * perImage, f * p, 1);
                        }
                    }
                });
                float beta = first ? 0f : 1f;
                Parallel.forRange(XI, 1, (lo, hi) -> {
                    for (int xi = lo; xi < hi; xi++) {
                        Sgemm.sgemm(false, false, f, c, p, 1f, dm, xi * f * p, p, vt, xi * p * c, c, beta, du, xi * f * c, c);
                    }
                });
                first = false;
            }
        }
        Parallel.forRange(f, 1, (lo, hi) -> Conv2dWinogradTransforms.weightsAdjoint(du, 0, f * c, c, 1, c, lo, hi, dw, dwOff));
    }

    private static void require(Conv2dGeometry g) {
        if (!applies(g)) {
            throw new IllegalArgumentException("conv2d (Winograd): needs a 3×3 kernel, stride 1, dilation 1 and groups 1, got " + g
                    + "; use Conv2dKernels for this geometry");
        }
    }

    /**
     * U[ξ] = G w Gᵀ (F × C), or its transpose (C × F) for the input gradient, each of the 16 packed
     * once for SGEMM in the calling thread's scratch: every block of tiles reuses them.
     */
    private static Sgemm.PackedA[] transformedWeights(Conv2dGeometry g, float[] w, int wOff, boolean transpose) {
        int c = g.c(), f = g.f(), rows = transpose ? c : f, cols = transpose ? f : c, size = Sgemm.packedSize(rows, cols);
        float[] u = Scratch.U.of(XI * f * c), packed = Scratch.PACKED_U.of(XI * size);
        Parallel.forRange(f, Math.max(1, 2048 / c), (lo, hi) -> Conv2dWinogradTransforms.weights(w, wOff, c, lo, hi, u, 0,
                f * c, transpose ? 1 : c, transpose ? f : 1));
        Sgemm.PackedA[] out = new Sgemm.PackedA[XI];
        Parallel.forRange(XI, 1, (lo, hi) -> {
            for (int xi = lo; xi < hi; xi++) out[xi] = Sgemm.pack(false, rows, cols, u, xi * f * c, cols, packed, xi * size);
        });
        return out;
    }

    /**
     * How a pass cuts the tiles into blocks: {@code images} whole images per block, or (when one
     * image has more tiles than a block) one image in blocks of {@code tileRows} tile rows.
     */
    record Blocking(int images, int tileRows) {}

    /** The blocks for about {@code target} tiles each: sizes only, never the thread count. */
    static Blocking blocking(Conv2dGeometry g, Tiles t, int target) {
        int cap = Math.max(1, MAX_DOMAIN_FLOATS / (XI * Math.max(g.c(), g.f())));
        int tiles = Math.max(1, Math.min(target, cap));
        if (t.perImage() <= tiles) return new Blocking(Math.min(g.n(), tiles / t.perImage()), t.th());
        return new Blocking(1, Math.max(1, tiles / t.tw()));
    }

    @FunctionalInterface
    private interface BlockBody {
        void run(int i0, int i1, int ty0, int ty1);
    }

    /**
     * Runs {@code body} on every block; a thread takes whole groups of images (and all the tile-row
     * blocks of its images, in order) when there are enough groups, else the groups run in turn.
     */
    private static void forEachBlock(Conv2dGeometry g, Tiles t, Blocking b, BlockBody body) {
        int n = g.n(), groups = (n + b.images() - 1) / b.images();
        Parallel.RangeBody group = (lo, hi) -> {
            for (int ty0 = 0; ty0 < t.th(); ty0 += b.tileRows()) body.run(lo, hi, ty0, Math.min(t.th(), ty0 + b.tileRows()));
        };
        if (groups >= Parallel.threads() && Parallel.threads() > 1) {
            Parallel.forBlocks(n, b.images(), group);
        } else {
            for (int lo = 0; lo < n; lo += b.images()) group.run(lo, Math.min(n, lo + b.images()));
        }
    }

    /** Per-thread buffers, grown on demand and kept: no large allocation per call once warm. */
    private enum Scratch {
        /** Input-side Winograd-domain block (V, dV) of a worker. */
        V,
        /** Output-side Winograd-domain block (M, dM) of a worker. */
        M,
        /** One zero-bordered input plane (or its gradient) of a worker. */
        PLANE,
        /** Transformed weights (caller). */
        U,
        /** Transformed weights packed for SGEMM (caller, read by the workers). */
        PACKED_U,
        /** Weight gradient in the Winograd domain (caller). */
        DU,
        /** Vᵀ and dM of a weight-gradient block (caller, written and read by the workers). */
        SHARED_V, SHARED_M;

        private final ThreadLocal<float[]> slot = ThreadLocal.withInitial(() -> new float[0]);

        float[] of(int size) {
            float[] a = slot.get();
            if (a.length < size) {
                a = new float[size];
                slot.set(a);
            }
            return a;
        }
    }
}
