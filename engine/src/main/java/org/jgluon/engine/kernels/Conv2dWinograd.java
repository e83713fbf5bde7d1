package org.jgluon.engine.kernels;

import static org.jgluon.engine.kernels.Conv2dWinogradTransforms.xiStride;

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
 * of a block split over its channels and filters together, its 16 GEMMs over ξ, each dU[ξ] accumulating the
 * blocks in block order: the bits do not depend on the thread count. V is recomputed there
 * rather than kept from the forward (at 224 it would be 16·C·4608 floats per layer).
 *
 * <p>Blocks of a multiple of 16 whole images run their transforms 16 images at a time, one per
 * vector lane ({@link Conv2dWinogradLanes}); others (batch tails, tile rows) the scalar ones.
 *
 * <p>Scratch (Winograd-domain blocks, transformed and packed weights) is per thread and kept
 * across calls; a block holds at most {@link #MAX_DOMAIN_FLOATS} floats per buffer (at AlexNet's
 * conv4, batch 128: 6 MB per thread at 96, 28 MB at 224; in the calling thread 9.4 MB of packed
 * weights, 9.4 MB of dU and the weight gradient's V and dM, 25 MB at 96, 28 MB at 224).
 */
public final class Conv2dWinograd {

    /**
     * Tiles per block of the forward and backward-data passes (the GEMMs' n): at 96 (4 tiles per
     * image) 32 images, 4 blocks of a batch of 128 over 2 threads (256 ran alike, 64 slower); at 224
     * (36 per image) the 16-image minimum of the lane form wins (576 tiles).
     */
    static final int TARGET_TILES = 128;
    /** Tiles per block of the weight gradient (the GEMMs' k): fewer, deeper updates of dU. */
    static final int WEIGHT_TILES = 512;
    /** Cap on one Winograd-domain buffer of a block (16 · max(C, F) · P floats): bounds the scratch. */
    static final int MAX_DOMAIN_FLOATS = 1 << 22;

    private Conv2dWinograd() {}

    /**
     * Channels and filters from which this path is the faster one: its 16 GEMMs are C deep where
     * im2col's one is 9·C, and its transforms cost (C + F) per tile against the GEMMs' 2·C·F. Measured
     * on one core, im2col → Winograd (forward, input gradient, weight gradient; docs/winograd.md):
     * C = F = 32 at 16×16 0.68, 0.69, 0.90×; C = F = 64 at 32×32 0.80, 0.77, 0.91×; C = F = 128 at
     * 16×16 1.05, 1.00, 1.08×; AlexNet's conv3-5 (256-384) 1.3-1.9×.
     */
    public static final int MIN_CHANNELS = 128;

    /** True when g has enough channels and filters for this path to beat im2col ({@link #MIN_CHANNELS}). */
    public static boolean pays(Conv2dGeometry g) {
        return g.c() >= MIN_CHANNELS && g.f() >= MIN_CHANNELS;
    }

    /** True when this path computes the convolution g: 3×3 kernel, stride 1, dilation 1, groups 1. */
    public static boolean applies(Conv2dGeometry g) {
        return g.kh() == 3 && g.kw() == 3 && g.strideH() == 1 && g.strideW() == 1 && g.dilH() == 1 && g.dilW() == 1
                && g.groups() == 1;
    }

    /** y (n, f, oh, ow) = conv(x (n, c, h, w), w (f, c, 3, 3)) + bias (f) (bias may be null). */
    public static void forward(Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff,
                               float[] bias, int biasOff, float[] y, int yOff) {
        forward(g, x, xOff, w, wOff, bias, biasOff, y, yOff, TARGET_TILES);
    }

    /** {@link #forward} with blocks of about {@code tiles} tiles (for tuning). */
    static void forward(Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff,
                        float[] bias, int biasOff, float[] y, int yOff, int tiles) {
        require(g);
        Tiles t = Tiles.of(g);
        int c = g.c(), f = g.f();
        Sgemm.PackedA[] u = transformedWeights(g, w, wOff, false);
        forEachBlock(g, t, blocking(g, t, tiles), b -> {
            int vs = xiStride(c * b.p()), ms = xiStride(f * b.p());
            float[] v = Scratch.V.of(XI * vs), m = Scratch.M.of(XI * ms);
            inputs(g, t, b, x, xOff, 0, c, v, vs);
            for (int xi = 0; xi < XI; xi++) Sgemm.sgemm(u[xi], false, b.p(), 1f, v, xi * vs, b.p(), 0f, m, xi * ms, b.p());
            outputs(g, t, b, m, ms, bias, biasOff, y, yOff);
        });
    }

    /** dx (n, c, h, w) += the gradient of the convolution's input, given dy (n, f, oh, ow). */
    public static void backwardData(Conv2dGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff) {
        backwardData(g, dy, dyOff, w, wOff, dx, dxOff, true);
    }

    /**
     * dx (n, c, h, w) += the input gradient, or = it when not {@code accumulate} (every element
     * written: dx's contents may be garbage, {@link org.jgluon.engine.autograd.GradTarget}).
     */
    public static void backwardData(Conv2dGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff,
                                    boolean accumulate) {
        backwardData(g, dy, dyOff, w, wOff, dx, dxOff, accumulate, TARGET_TILES);
    }

    /** {@link #backwardData} with blocks of about {@code tiles} tiles (for tuning). */
    static void backwardData(Conv2dGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff,
                             boolean accumulate, int tiles) {
        require(g);
        Tiles t = Tiles.of(g);
        int c = g.c(), f = g.f();
        Sgemm.PackedA[] ut = transformedWeights(g, w, wOff, true);
        // Blocks of whole images, or tile rows of one image handled by one thread in turn: the
        // overlapping tiles' sums into dx never race.
        forEachBlock(g, t, blocking(g, t, tiles), b -> {
            int vs = xiStride(c * b.p()), ms = xiStride(f * b.p());
            float[] dm = Scratch.M.of(XI * ms), dv = Scratch.V.of(XI * vs);
            outputGradients(g, t, b, dy, dyOff, 0, f, dm, ms);
            for (int xi = 0; xi < XI; xi++) Sgemm.sgemm(ut[xi], false, b.p(), 1f, dm, xi * ms, b.p(), 0f, dv, xi * vs, b.p());
            inputGradients(g, t, b, dv, vs, dx, dxOff, accumulate);
        });
    }

    /** dw (f, c, 3, 3) += the gradient of the convolution's weights, given x and dy; the same bits for any thread count. */
    public static void backwardWeights(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff) {
        backwardWeights(g, x, xOff, dy, dyOff, dw, dwOff, true);
    }

    /** dw += the weight gradient, or = it when not {@code accumulate} (every element written). */
    public static void backwardWeights(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff,
                                       boolean accumulate) {
        backwardWeights(g, x, xOff, dy, dyOff, dw, dwOff, accumulate, WEIGHT_TILES);
    }

    /** {@link #backwardWeights} with blocks of about {@code tiles} tiles (for tuning). */
    static void backwardWeights(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff,
                                boolean accumulate, int tiles) {
        require(g);
        Tiles t = Tiles.of(g);
        int n = g.n(), c = g.c(), f = g.f();
        Blocking bl = blocking(g, t, tiles);
        int maxP = bl.images() * bl.tileRows() * t.tw(), us = xiStride(f * c);
        // All in the calling thread's scratch, shared by the workers of each phase.
        float[] du = Scratch.DU.of(XI * us);
        float[] v = Scratch.SHARED_V.of(XI * xiStride(c * maxP)), dm = Scratch.SHARED_M.of(XI * xiStride(f * maxP));
        boolean first = true;
        for (int i0 = 0; i0 < n; i0 += bl.images()) {
            for (int ty0 = 0; ty0 < t.th(); ty0 += bl.tileRows()) {
                Block b = Block.of(t, i0, Math.min(n, i0 + bl.images()), ty0, Math.min(t.th(), ty0 + bl.tileRows()));
                int p = b.p(), vs = xiStride(c * p), ms = xiStride(f * p);
                // V's channels and dM's filters as one range (one barrier, not two), interleaved in
                // proportion so that each thread's chunk holds its share of both (the transforms
                // cost differently per channel and per filter)
                Parallel.forRange(c + f, 1, (lo, hi) -> {
                    int c0 = (int) ((long) lo * c / (c + f)), c1 = (int) ((long) hi * c / (c + f));
                    if (c0 < c1) inputs(g, t, b, x, xOff, c0, c1, v, vs);
                    if (lo - c0 < hi - c1) outputGradients(g, t, b, dy, dyOff, lo - c0, hi - c1, dm, ms);
                });
                float beta = first ? 0f : 1f;
                // dU[ξ] (F × C) += dM[ξ] (F × P) · V[ξ]ᵀ, V stored C × P
                Parallel.forRange(XI, 1, (lo, hi) -> {
                    for (int xi = lo; xi < hi; xi++) {
                        Sgemm.sgemm(false, true, f, c, p, 1f, dm, xi * ms, p, v, xi * vs, p, beta, du, xi * us, c);
                    }
                });
                first = false;
            }
        }
        Parallel.forRange(f, 1, (lo, hi) -> Conv2dWinogradTransforms.weightsAdjoint(du, 0, us, c, 1, c, lo, hi, dw, dwOff,
                accumulate));
    }

    /**
     * A block of tiles: images [i0, i1), tile rows [ty0, ty1) of each; p tiles in all. In lane form
     * (whole images, a multiple of {@link Conv2dWinogradLanes#LANES}) its columns are tile-major
     * (tile·nb + image), else image-major (image·perImage + tile).
     */
    record Block(int i0, int i1, int ty0, int ty1, int perImage, int p, boolean lanes) {
        static Block of(Tiles t, int i0, int i1, int ty0, int ty1) {
            int perImage = (ty1 - ty0) * t.tw();
            boolean lanes = ty0 == 0 && ty1 == t.th() && (i1 - i0) % Conv2dWinogradLanes.LANES == 0;
            return new Block(i0, i1, ty0, ty1, perImage, (i1 - i0) * perImage, lanes);
        }
    }

    /** V (16 × C × P, matrices vs apart) rows [c0, c1) = Bᵀ d B of the block's tiles of x. */
    private static void inputs(Conv2dGeometry g, Tiles t, Block b, float[] x, int xOff, int c0, int c1, float[] v, int vs) {
        int c = g.c(), in = g.inPixels(), p = b.p(), nb = b.i1() - b.i0();
        if (b.lanes()) {
            float[] buf = Scratch.LANE_IN.of(Conv2dWinogradLanes.inputBufferSize(t));
            for (int gi = 0; gi < nb; gi += Conv2dWinogradLanes.LANES) {
                java.util.Arrays.fill(buf, 0, Conv2dWinogradLanes.inputBufferSize(t), 0f); // the zero border
                for (int ch = c0; ch < c1; ch++) {
                    Conv2dWinogradLanes.input(g, t, x, xOff + ((b.i0() + gi) * c + ch) * in, c * in, buf, v, ch * p + gi, vs, nb);
                }
            }
            return;
        }
        float[] plane = Scratch.PLANE.of(t.hp() * t.wp());
        // channel by channel: each of the 16 matrices of V is written along its rows
        for (int ch = c0; ch < c1; ch++) {
            for (int i = b.i0(); i < b.i1(); i++) {
                Conv2dWinogradTransforms.padRows(g, t, b.ty0(), b.ty1(), x, xOff + (i * c + ch) * in, plane);
                Conv2dWinogradTransforms.input(t, b.ty0(), b.ty1(), plane, v, ch * p + (i - b.i0()) * b.perImage(), vs, 1);
            }
        }
    }

    /** dx of the block's images += B dV Bᵀ over its tiles (all channels), or = when not accumulating. */
    private static void inputGradients(Conv2dGeometry g, Tiles t, Block b, float[] dv, int vs, float[] dx, int dxOff,
                                       boolean accumulate) {
        int c = g.c(), in = g.inPixels(), p = b.p(), nb = b.i1() - b.i0();
        if (b.lanes()) {
            float[] buf = Scratch.LANE_IN.of(Conv2dWinogradLanes.inputBufferSize(t));
            for (int gi = 0; gi < nb; gi += Conv2dWinogradLanes.LANES) {
                for (int ch = 0; ch < c; ch++) {
                    Conv2dWinogradLanes.inputAdjoint(g, t, dv, ch * p + gi, vs, nb, buf, dx, dxOff + ((b.i0() + gi) * c + ch) * in,
                            c * in, accumulate);
                }
            }
            return;
        }
        float[] plane = Scratch.PLANE.of(t.hp() * t.wp());
        for (int ch = 0; ch < c; ch++) {
            for (int i = b.i0(); i < b.i1(); i++) {
                Conv2dWinogradTransforms.inputAdjoint(g, t, b.ty0(), b.ty1(), dv, ch * p + (i - b.i0()) * b.perImage(), vs, 1,
                        plane, dx, dxOff + (i * c + ch) * in, accumulate);
            }
        }
    }

    /** y of the block's tiles = Aᵀ M A + bias (all filters). */
    private static void outputs(Conv2dGeometry g, Tiles t, Block b, float[] m, int ms, float[] bias, int biasOff,
                                float[] y, int yOff) {
        int f = g.f(), out = g.outPixels(), p = b.p(), nb = b.i1() - b.i0();
        if (b.lanes()) {
            float[] buf = Scratch.LANE_OUT.of(Conv2dWinogradLanes.outputBufferSize(t));
            for (int gi = 0; gi < nb; gi += Conv2dWinogradLanes.LANES) {
                for (int ff = 0; ff < f; ff++) {
                    Conv2dWinogradLanes.output(g, t, m, ff * p + gi, ms, nb, bias == null ? 0f : bias[biasOff + ff], buf, y,
                            yOff + ((b.i0() + gi) * f + ff) * out, f * out);
                }
            }
            return;
        }
        for (int ff = 0; ff < f; ff++) {
            float bf = bias == null ? 0f : bias[biasOff + ff];
            for (int i = b.i0(); i < b.i1(); i++) {
                Conv2dWinogradTransforms.output(g, t, b.ty0(), b.ty1(), m, ff * p + (i - b.i0()) * b.perImage(), ms, 1, bf, y,
                        yOff + (i * f + ff) * out);
            }
        }
    }

    /** dM (16 × F × P, matrices ms apart) rows [f0, f1) = A dy Aᵀ of the block's tiles. */
    private static void outputGradients(Conv2dGeometry g, Tiles t, Block b, float[] dy, int dyOff, int f0, int f1,
                                        float[] dm, int ms) {
        int f = g.f(), out = g.outPixels(), p = b.p(), nb = b.i1() - b.i0();
        if (b.lanes()) {
            float[] buf = Scratch.LANE_OUT.of(Conv2dWinogradLanes.outputBufferSize(t));
            for (int gi = 0; gi < nb; gi += Conv2dWinogradLanes.LANES) {
                java.util.Arrays.fill(buf, 0, Conv2dWinogradLanes.outputBufferSize(t), 0f); // zeros past (oh, ow)
                for (int ff = f0; ff < f1; ff++) {
                    Conv2dWinogradLanes.outputAdjoint(g, t, dy, dyOff + ((b.i0() + gi) * f + ff) * out, f * out, buf, dm,
                            ff * p + gi, ms, nb);
                }
            }
            return;
        }
        for (int ff = f0; ff < f1; ff++) {
            for (int i = b.i0(); i < b.i1(); i++) {
                Conv2dWinogradTransforms.outputAdjoint(g, t, b.ty0(), b.ty1(), dy, dyOff + (i * f + ff) * out, dm,
                        ff * p + (i - b.i0()) * b.perImage(), ms, 1);
            }
        }
    }


    private static void require(Conv2dGeometry g) {
        if (!applies(g)) {
            throw new IllegalArgumentException("conv2d (Winograd): needs a 3×3 kernel, stride 1, dilation 1 and groups 1, got " + g
                    + "; use Conv2dKernels for this geometry");
        }
    }

    /**
     * U[ξ] = G w Gᵀ (F × C), or its transpose (C × F) for the input gradient, packed once for SGEMM
     * in the calling thread's scratch ({@link Conv2dWinogradWeights}): every block of tiles reuses them.
     */
    private static Sgemm.PackedA[] transformedWeights(Conv2dGeometry g, float[] w, int wOff, boolean transpose) {
        float[] packed = Scratch.PACKED_U.of(Conv2dWinogradWeights.packedSize(g));
        return Conv2dWinogradWeights.packed(g, w, wOff, transpose, packed, Scratch.U.of(Conv2dWinogradWeights.plainSize(g)));
    }

    /**
     * How a pass cuts the tiles into blocks: {@code images} whole images per block, or (when one
     * image has more tiles than a block) one image in blocks of {@code tileRows} tile rows.
     */
    record Blocking(int images, int tileRows) {}

    /**
     * The blocks for about {@code target} tiles each: sizes only, never the thread count. Whole
     * images when one fits, at least {@link Conv2dWinogradLanes#LANES} of them when they fit
     * under the cap (the lane form's transforms are several times cheaper: at 224, 16 images of
     * 36 tiles ran the forward 1.3× faster than blocks of 3), a multiple of the lanes when more.
     */
    static Blocking blocking(Conv2dGeometry g, Tiles t, int target) {
        int cap = Math.max(1, MAX_DOMAIN_FLOATS / (XI * Math.max(g.c(), g.f())));
        int tiles = Math.max(1, Math.min(target, cap)), per = t.perImage(), lanes = Conv2dWinogradLanes.LANES;
        int images = tiles / per;
        if (images < lanes && lanes * per <= cap && g.n() >= lanes) images = lanes;
        if (images == 0) return new Blocking(1, Math.max(1, tiles / t.tw()));
        images = Math.min(g.n(), images);
        if (images >= lanes) images -= images % lanes;
        return new Blocking(images, t.th());
    }

    @FunctionalInterface
    private interface BlockBody {
        void run(Block b);
    }

    /**
     * Runs {@code body} on every block; a thread takes whole groups of images (and all the tile-row
     * blocks of its images, in order) when there are enough groups, else the groups run in turn.
     */
    private static void forEachBlock(Conv2dGeometry g, Tiles t, Blocking bl, BlockBody body) {
        int n = g.n(), groups = (n + bl.images() - 1) / bl.images();
        Parallel.RangeBody group = (lo, hi) -> {
            for (int ty0 = 0; ty0 < t.th(); ty0 += bl.tileRows()) {
                body.run(Block.of(t, lo, hi, ty0, Math.min(t.th(), ty0 + bl.tileRows())));
            }
        };
        if (groups >= Parallel.threads() && Parallel.threads() > 1) {
            Parallel.forBlocks(n, bl.images(), group);
        } else {
            for (int lo = 0; lo < n; lo += bl.images()) group.run(lo, Math.min(n, lo + bl.images()));
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
        /** The input planes of a lane group, transposed (a worker's). */
        LANE_IN,
        /** The output planes of a lane group, transposed (a worker's). */
        LANE_OUT,
        /** Transformed weights before packing, when they cannot be written packed (caller). */
        U,
        /** Transformed weights packed for SGEMM (caller, read by the workers). */
        PACKED_U,
        /** Weight gradient in the Winograd domain (caller). */
        DU,
        /** Vᵀ and dM of a weight-gradient block (caller, written and read by the workers). */
        SHARED_V, SHARED_M;

        private final ThreadScratch slot = new ThreadScratch();

        float[] of(int size) {
            return slot.of(size);
        }
    }
}
