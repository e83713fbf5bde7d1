package org.jgluon.engine.kernels;

import static org.jgluon.engine.kernels.Conv2dWinogradLanes.LANES;

import java.util.Arrays;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.kernels.Conv2dWinogradTransforms.Tiles;

/**
 * r×r stride-1 convolutions (r = 3 or 5; groups 1, dilation 1, any padding) in Winograd's
 * F(2×2, r×r) domain: α² multiplies per 2×2 output tile and channel (α = r + 1: 16 for 3×3, 36 for
 * 5×5) where the direct convolution needs 4·r² (36, 100). For a block of P tiles, with ξ one of the
 * α² elements of the α×α domain ({@link Conv2dWinogradTransforms}, {@link Conv2dWinogradWeights}):
 * <pre>
 *   forward          U[ξ] (F × C) = G w Gᵀ      V[ξ] (C × P) = Bᵀ d B      M[ξ] = U[ξ]·V[ξ]      y = Aᵀ M A + bias
 *   backward-data    dM[ξ] (F × P) = A dy Aᵀ    dV[ξ] (C × P) = U[ξ]ᵀ·dM[ξ]                       dx += B dV Bᵀ
 *   backward-weights dU[ξ] (F × C) = Σ_blocks dM[ξ]·V[ξ]ᵀ                                        dw += Gᵀ dU G
 *   (x (N, C, H, W), w (F, C, r, r), y and dy (N, F, OH, OW); the bias gradient is Conv2dKernels.backwardBias)
 * </pre>
 * Every pass is exact up to round-off: the maps are linear and the backward passes are their
 * adjoints. Backward-data needs w, backward-weights x (V is recomputed rather than kept: at 224 it
 * would be 16·C·4608 floats per layer).
 *
 * <p>Blocks: whole lane groups of {@link Conv2dWinogradLanes#LANES} images (one image per vector
 * lane) — several groups of whole images, or one group's tile rows when a group's Winograd-domain
 * buffer would pass the cap ({@link #blocking}) — run the lane-form transforms; the images past the last whole group (batch tails,
 * batches under 16) the scalar ones, on whole images or one image's tile rows. The sizes depend on
 * the geometry only, never on the thread count.
 *
 * <p>Threads: forward and backward-data give each thread whole image ranges (all their tile-row
 * blocks, in order: the input gradient's overlapping rows never race) and its SGEMMs run inline;
 * with fewer ranges than threads (small batches) they run in turn and SGEMM splits each product.
 * The weight gradient runs its blocks in order, one parallel region per block doing that block's
 * transforms and the previous block's α² GEMMs ({@link #backwardWeights}), each dU[ξ] adding the
 * blocks in block order: the bits do not depend on the thread count.
 *
 * <p>Scratch is per thread and kept (no large allocation per call once warm): per worker a block's
 * V and M under {@link #domainCap} each; in the calling thread the packed weights, dU and
 * the weight gradient's two sets of V and dM (conv2 at 224: 4 × 36·(96 or 256)·848 floats, 86 MB).
 *
 * <p>The Winograd-domain buffers are α² matrices of rows × P ({@link Domain}: matrix-major for
 * 3×3, row-interleaved for 5×5, where 36 matrices megabytes apart were more streams than the
 * prefetchers follow).
 */
public final class Conv2dWinograd {

    /**
     * Columns (tiles × images) a forward or input-gradient block aims at (the GEMMs' n), and the cap
     * on each of its Winograd-domain buffers (α²·max(C, F)·P floats, per thread), per kernel size:
     * F(2×2, 5×5)'s buffers take 2.25× the floats per column, and its GEMMs want the smaller blocks.
     * Measured in one JVM, one core, on a quiet machine (load 2), against session 4:
     * 3×3 with 128 columns under 4 M floats (32 images at 96; 16 whole images, 576 columns, at 224:
     * session 4's blocks) 1.00×; with 256 under 2 M 0.92-0.95× at 96 and 0.80-0.87× at 224 (tile
     * rows of 192 columns). conv2 at 96 with 16 whole images (400 columns, 3.7 M floats of M)
     * 0.88× forward and 0.91× input gradient; with 256 under 2 M (2 tile rows, 160 columns) 1.0×.
     */
    static int targetColumns(Tiles t) {
        return t.alpha() == 4 ? 128 : 256;
    }

    /** See {@link #targetColumns}. */
    static int domainCap(Tiles t) {
        return t.alpha() == 4 ? 1 << 22 : 1 << 21;
    }

    /**
     * Columns of a weight-gradient block (the GEMMs' k): fewer, deeper updates of dU and fewer
     * parallel regions. conv2 at 224 ran 0.94× of session 4 with 416 (2 tile rows of a lane group)
     * where that took 832; the 3×3 layers keep their 512 (128 images at 96) and 576 (16 at 224).
     */
    static final int WEIGHT_COLUMNS = 1024;
    /** The same cap for the weight gradient, whose buffers are the calling thread's, shared by the workers. */
    static final int WEIGHT_DOMAIN_FLOATS = 1 << 23;
    /** Cap on a lane group's padded input planes (C·hp·wp·LANES floats), kept for its tile-row blocks. */
    static final int MAX_PLANE_FLOATS = 1 << 23;
    /** Pieces of a weight-gradient block's transforms (channels and filters): items for the free threads. */
    static final int TRANSFORM_PIECES = 8;

    /**
     * Channels and filters from which F(2×2, 3×3) is the faster path: its 16 GEMMs are C deep where
     * im2col's one is 9·C, and its transforms cost (C + F) per tile against the GEMMs' 2·C·F. Measured
     * on one core, im2col → Winograd (forward, input gradient, weight gradient; docs/winograd.md):
     * C = F = 32 at 16×16 0.68, 0.69, 0.90×; C = F = 64 at 32×32 0.80, 0.77, 0.91×; C = F = 128 at
     * 16×16 1.05, 1.00, 1.08×; AlexNet's conv3-5 (256-384) 1.3-1.9×.
     */
    public static final int MIN_CHANNELS = 128;

    private Conv2dWinograd() {}

    /** True when this path computes g: a 3×3 or 5×5 kernel, stride 1, dilation 1, groups 1. */
    public static boolean applies(Conv2dGeometry g) {
        return g.kh() == g.kw() && (g.kh() == 3 || g.kh() == 5) && g.strideH() == 1 && g.strideW() == 1 && g.dilH() == 1
                && g.dilW() == 1 && g.groups() == 1;
    }

    /**
     * True when this path beats im2col on g (sizes only, never the thread count). 3×3: at least
     * {@link #MIN_CHANNELS} channels and filters. 5×5 (36 multiplies instead of 100: conv2 1.4-1.7×):
     * a whole lane group of images (a batch of a few images is faster on im2col, whose SGEMM splits
     * one image over the threads), and a lane group's planes and a tile row of it in the Winograd
     * domain under the caps (larger layers untried).
     */
    public static boolean pays(Conv2dGeometry g) {
        if (g.kh() == 3) return g.c() >= MIN_CHANNELS && g.f() >= MIN_CHANNELS;
        Tiles t = Tiles.of(g);
        long channels = Math.max(g.c(), g.f());
        return g.n() >= LANES && channels * Conv2dWinogradLanes.planeFloats(t) <= MAX_PLANE_FLOATS
                && (long) t.xi() * channels * t.tw() * LANES <= WEIGHT_DOMAIN_FLOATS;
    }

    // ---- the three passes ----

    /** y (n, f, oh, ow) = conv(x (n, c, h, w), w (f, c, r, r)) + bias (f) (bias may be null). */
    public static void forward(Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff,
                               float[] bias, int biasOff, float[] y, int yOff) {
        Tiles t = Tiles.of(g);
        forward(g, x, xOff, w, wOff, bias, biasOff, y, yOff, targetColumns(t), domainCap(t));
    }

    /** {@link #forward} with blocks of about {@code columns} columns under {@code cap} (tuning, tests). */
    static void forward(Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff,
                        float[] bias, int biasOff, float[] y, int yOff, int columns, int cap) {
        require(g);
        Tiles t = Tiles.of(g);
        int c = g.c(), f = g.f(), xi = t.xi();
        Sgemm.PackedA[] u = transformedWeights(g, w, wOff, false);
        forEachBlock(g, t, blocking(g, t, columns, cap), b -> {
            Domain vd = Domain.of(t, c, b.p()), md = Domain.of(t, f, b.p());
            float[] v = Scratch.V.of(vd.floats()), m = Scratch.M.of(md.floats());
            inputs(g, t, b, x, xOff, 0, c, v, vd, null);
            for (int k = 0; k < xi; k++) {
                Sgemm.sgemm(u[k], false, b.p(), 1f, v, k * vd.xs(), vd.rs(), 0f, m, k * md.xs(), md.rs());
            }
            outputs(g, t, b, m, md, bias, biasOff, y, yOff);
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
        Tiles t = Tiles.of(g);
        backwardData(g, dy, dyOff, w, wOff, dx, dxOff, accumulate, targetColumns(t), domainCap(t));
    }

    /** {@link #backwardData} with blocks of about {@code columns} columns under {@code cap} (tuning, tests). */
    static void backwardData(Conv2dGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff,
                             boolean accumulate, int columns, int cap) {
        require(g);
        Tiles t = Tiles.of(g);
        int c = g.c(), f = g.f(), xi = t.xi();
        Sgemm.PackedA[] ut = transformedWeights(g, w, wOff, true);
        forEachBlock(g, t, blocking(g, t, columns, cap), b -> {
            Domain vd = Domain.of(t, c, b.p()), md = Domain.of(t, f, b.p());
            float[] dm = Scratch.M.of(md.floats()), dv = Scratch.V.of(vd.floats());
            outputGradients(g, t, b, dy, dyOff, 0, f, dm, md);
            for (int k = 0; k < xi; k++) {
                Sgemm.sgemm(ut[k], false, b.p(), 1f, dm, k * md.xs(), md.rs(), 0f, dv, k * vd.xs(), vd.rs());
            }
            inputGradients(g, t, b, dv, vd, dx, dxOff, accumulate);
        });
    }

    /** dw (f, c, r, r) += the gradient of the convolution's weights, given x and dy; the same bits for any thread count. */
    public static void backwardWeights(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff) {
        backwardWeights(g, x, xOff, dy, dyOff, dw, dwOff, true);
    }

    /** dw += the weight gradient, or = it when not {@code accumulate} (every element written). */
    public static void backwardWeights(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff,
                                       boolean accumulate) {
        backwardWeights(g, x, xOff, dy, dyOff, dw, dwOff, accumulate, WEIGHT_COLUMNS);
    }

    /**
     * {@link #backwardWeights} with blocks of about {@code columns} columns (for tuning). Block k's
     * transforms (V's channels and dM's filters, in {@link #TRANSFORM_PIECES} pieces) and block
     * k − 1's α² GEMMs {@code dU[ξ] += dM[ξ]·V[ξ]ᵀ} are the items of one parallel region, handed to
     * whichever thread is free (two sets of V and dM buffers, alternating): one barrier per block
     * where a transform phase and then a GEMM phase took two, each waiting for its slowest thread.
     * On one thread the block's transforms and then its GEMMs, in one buffer set (same bits).
     */
    static void backwardWeights(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff,
                                boolean accumulate, int columns) {
        require(g);
        Tiles t = Tiles.of(g);
        int c = g.c(), f = g.f(), xi = t.xi(), r = g.kh();
        Blocking bl = blocking(g, t, columns, WEIGHT_DOMAIN_FLOATS);
        int blocks = bl.blockCount(), us = Conv2dWinogradTransforms.xiStride(f * c);
        int vFloats = Domain.of(t, c, bl.maxColumns(t) + 16).floats(), mFloats = Domain.of(t, f, bl.maxColumns(t) + 16).floats();
        // all in the calling thread's scratch, shared by the workers
        float[] du = Scratch.DU.of(xi * us);
        boolean two = Parallel.threads() > 1;
        float[][] v = {Scratch.SHARED_V.of(vFloats), two ? Scratch.SHARED_V2.of(vFloats) : null};
        float[][] dm = {Scratch.SHARED_M.of(mFloats), two ? Scratch.SHARED_M2.of(mFloats) : null};
        float[] planes = bl.laneRows() < t.th() ? Scratch.SHARED_PLANES.of(c * Conv2dWinogradLanes.planeFloats(t)) : null;
        if (Parallel.threads() == 1) {
            // one thread: no barrier to save, and one buffer set keeps the block's V and dM in cache
            // for its GEMMs (the alternating sets ran one core's weight gradients 0.93-0.97×); the
            // same operations in the same order per dU[ξ], so the same bits
            for (int k = 0; k < blocks; k++) {
                Block b = bl.block(t, k);
                weightRegion(g, t, x, xOff, dy, dyOff, b, v[0], dm[0], planes, null, null, null, 0f, du, us);
                weightRegion(g, t, x, xOff, dy, dyOff, null, null, null, planes, b, v[0], dm[0], k > 0 ? 1f : 0f, du, us);
            }
        } else {
            for (int k = 0; k <= blocks; k++) {
                Block now = k < blocks ? bl.block(t, k) : null, before = k > 0 ? bl.block(t, k - 1) : null;
                weightRegion(g, t, x, xOff, dy, dyOff, now, v[k & 1], dm[k & 1], planes, before, v[(k + 1) & 1],
                        dm[(k + 1) & 1], k > 1 ? 1f : 0f, du, us);
            }
        }
        Parallel.forRange(f, 1, (lo, hi) -> Conv2dWinogradWeights.weightsAdjoint(r, du, us, c, lo, hi, dw, dwOff, accumulate));
    }

    /**
     * One parallel region of the weight gradient: the α² GEMMs {@code dU[ξ] = beta·dU[ξ] + dM[ξ]·V[ξ]ᵀ}
     * of block {@code before} (if any) and the transforms of block {@code now} (if any), as items
     * for whichever thread is free.
     */
    private static void weightRegion(Conv2dGeometry g, Tiles t, float[] x, int xOff, float[] dy, int dyOff, Block now,
                                     float[] vNow, float[] dmNow, float[] planes, Block before, float[] vBefore,
                                     float[] dmBefore, float beta, float[] du, int us) {
        int c = g.c(), f = g.f(), pieces = TRANSFORM_PIECES, gemms = before == null ? 0 : t.xi();
        int items = gemms + (now == null ? 0 : pieces);
        // the blocks' layouts, once per region rather than per item
        Domain vBd = before == null ? null : Domain.of(t, c, before.p()), mBd = before == null ? null : Domain.of(t, f, before.p());
        Domain vNd = now == null ? null : Domain.of(t, c, now.p()), mNd = now == null ? null : Domain.of(t, f, now.p());
        Parallel.forBlocks(items, 1, (lo, hi) -> {
            for (int it = lo; it < hi; it++) {
                if (it < gemms) {
                    // dU[ξ] (F × C) += dM[ξ] (F × P) · V[ξ]ᵀ, V stored C × P
                    Sgemm.sgemm(false, true, f, c, before.p(), 1f, dmBefore, it * mBd.xs(), mBd.rs(), vBefore, it * vBd.xs(),
                            vBd.rs(), beta, du, it * us, c);
                    continue;
                }
                // channels and filters interleaved in proportion, so that each piece holds its share of
                // both (a channel's transform costs more than a filter's)
                int piece = it - gemms, lo2 = (int) ((long) piece * (c + f) / pieces);
                int hi2 = (int) ((long) (piece + 1) * (c + f) / pieces);
                int c0 = (int) ((long) lo2 * c / (c + f)), c1 = (int) ((long) hi2 * c / (c + f));
                if (c0 < c1) inputs(g, t, now, x, xOff, c0, c1, vNow, vNd, planes);
                if (lo2 - c0 < hi2 - c1) outputGradients(g, t, now, dy, dyOff, lo2 - c0, hi2 - c1, dmNow, mNd);
            }
        });
    }

    // ---- blocks ----

    /**
     * A block of tiles: images [i0, i1), tile rows [ty0, ty1) of each; p tiles in all. In lane form
     * (whole lane groups) its columns are tile-major (tile·nb + image), else image-major
     * (image·perImage + tile).
     */
    record Block(int i0, int i1, int ty0, int ty1, int perImage, int p, boolean lanes) {
        static Block of(Tiles t, int i0, int i1, int ty0, int ty1, boolean lanes) {
            int perImage = (ty1 - ty0) * t.tw();
            return new Block(i0, i1, ty0, ty1, perImage, (i1 - i0) * perImage, lanes);
        }

        boolean wholeImages(Tiles t) {
            return ty0 == 0 && ty1 == t.th();
        }
    }

    /**
     * Where a block's Winograd-domain values lie: value (row, ξ, column) at ξ·xs + row·rs + column.
     * F(2×2, 3×3): xs = {@link Conv2dWinogradTransforms#xiStride}, rs = P (16 contiguous matrices one
     * cache line apart in the L1 sets). F(2×2, 5×5): xs = P', rs = 36·P' (a tile's 36 values of one
     * row in one run of 36·P' floats; P' = P + 16 when P is a multiple of 256, where 36·P' would be
     * a multiple of 4 KiB and put a GEMM's rows in one L1 set). Why two orders: each tile touches
     * one value in each of the α² matrices, 16 streams the prefetchers follow but not 36 megabytes
     * apart; and 3×3's 16·P rows were 4 KiB multiples at 96 (P = 128). Measured in one JVM, one
     * core: 3×3 in the interleaved order 0.89-0.98× per pass (conv4 at 96: input gradient 0.91×);
     * conv2 in the ξ-major one 0.96× at 96 (forward, weights) and 0.96× at 224 over the three passes.
     */
    record Domain(int xs, int rs, int floats) {
        static Domain of(Tiles t, int rows, int p) {
            if (t.alpha() == 6) {
                int padded = p % 256 == 0 ? p + 16 : p;
                return new Domain(padded, t.xi() * padded, rows * t.xi() * padded);
            }
            int xs = Conv2dWinogradTransforms.xiStride(rows * p);
            return new Domain(xs, p, t.xi() * xs);
        }
    }

    /**
     * How a pass cuts the batch: the first {@code laneEnd} images (whole lane groups) into ranges of
     * {@code laneImages} images (a multiple of the lanes), each in blocks of {@code laneRows} tile
     * rows; the rest into ranges of {@code tailImages} images in blocks of {@code tailRows} tile rows
     * (scalar form). A range's blocks run in order in one thread.
     */
    record Blocking(int n, int th, int laneEnd, int laneImages, int laneRows, int tailImages, int tailRows) {
        int laneRanges() {
            return laneEnd == 0 ? 0 : (laneEnd + laneImages - 1) / laneImages;
        }

        int ranges() {
            return laneRanges() + (n - laneEnd + tailImages - 1) / tailImages;
        }

        boolean lanes(int u) {
            return u < laneRanges();
        }

        int start(int u) {
            return lanes(u) ? u * laneImages : laneEnd + (u - laneRanges()) * tailImages;
        }

        int end(int u) {
            return lanes(u) ? Math.min(laneEnd, start(u) + laneImages) : Math.min(n, start(u) + tailImages);
        }

        int rows(int u) {
            return lanes(u) ? laneRows : tailRows;
        }

        int blocksPerRange(int u) {
            return (th + rows(u) - 1) / rows(u);
        }

        /** Blocks in all: every range's tile-row blocks. */
        int blockCount() {
            int tailRanges = ranges() - laneRanges();
            return laneRanges() * (laneRanges() > 0 ? blocksPerRange(0) : 0)
                    + (tailRanges > 0 ? tailRanges * blocksPerRange(laneRanges()) : 0);
        }

        /** Block k in range order, tile rows in order within a range. */
        Block block(Tiles t, int k) {
            int laneBlocks = laneRanges() > 0 ? laneRanges() * blocksPerRange(0) : 0, u, j;
            if (k < laneBlocks) {
                u = k / blocksPerRange(0);
                j = k % blocksPerRange(0);
            } else {
                int per = blocksPerRange(laneRanges());
                u = laneRanges() + (k - laneBlocks) / per;
                j = (k - laneBlocks) % per;
            }
            return Block.of(t, start(u), end(u), j * rows(u), Math.min(th, (j + 1) * rows(u)), lanes(u));
        }

        /** The most columns a block has. */
        int maxColumns(Tiles t) {
            int lane = laneEnd == 0 ? 0 : laneImages * laneRows * t.tw();
            return Math.max(lane, laneEnd == n ? 0 : tailImages * tailRows * t.tw());
        }
    }

    /**
     * The blocks for about {@code target} columns each, under {@code cap} floats per Winograd-domain
     * buffer: sizes only, never the thread count. Lane groups take whole images whenever one group
     * fits the cap (as many groups as fit the target, at least one: the lane form's transforms are
     * several times cheaper than the scalar ones, and at 224 16 images of 36 tiles ran the forward
     * 1.3× faster than scalar blocks of 3), else one group's tile rows (conv2 at 224), which needs
     * the group's planes under {@link #MAX_PLANE_FLOATS}. The rest (scalar): whole images when one
     * fits the target, else one image's tile rows.
     */
    static Blocking blocking(Conv2dGeometry g, Tiles t, int target, int cap) {
        int n = g.n(), th = t.th(), tw = t.tw(), per = t.perImage();
        int fit = Math.max(1, cap / (t.xi() * Math.max(g.c(), g.f()))), cols = Math.max(1, Math.min(target, fit));
        int laneEnd = n / LANES * LANES, laneImages = LANES, laneRows = th;
        if (LANES * per <= fit) {
            laneImages = Math.max(LANES, Math.min(laneEnd, cols / (LANES * per) * LANES));
        } else {
            laneRows = Math.max(1, Math.min(th, cols / (LANES * tw)));
            long planes = (long) g.c() * Conv2dWinogradLanes.planeFloats(t);
            if (LANES * tw > fit || planes > MAX_PLANE_FLOATS) laneEnd = 0;   // too large for lane form
        }
        int tailImages = per <= cols ? Math.max(1, cols / per) : 1;
        int tailRows = per <= cols ? th : Math.max(1, Math.min(th, cols / tw));
        return new Blocking(n, th, laneEnd, laneImages, laneRows, tailImages, tailRows);
    }

    @FunctionalInterface
    private interface BlockBody {
        void run(Block b);
    }

    /**
     * Runs {@code body} on every block; a thread takes whole image ranges (and all their tile-row
     * blocks, in order) when there are enough ranges, else the ranges run in turn.
     */
    private static void forEachBlock(Conv2dGeometry g, Tiles t, Blocking bl, BlockBody body) {
        int ranges = bl.ranges();
        Parallel.RangeBody range = (lo, hi) -> {
            for (int u = lo; u < hi; u++) {
                for (int ty0 = 0; ty0 < t.th(); ty0 += bl.rows(u)) {
                    body.run(Block.of(t, bl.start(u), bl.end(u), ty0, Math.min(t.th(), ty0 + bl.rows(u)), bl.lanes(u)));
                }
            }
        };
        if (ranges >= Parallel.threads() && Parallel.threads() > 1) Parallel.forBlocks(ranges, 1, range);
        else range.run(0, ranges);
    }

    // ---- a block's transforms, lane or scalar form ----

    /**
     * V rows [c0, c1) = Bᵀ d B of the block's tiles of x. Lane blocks of whole images copy one
     * channel's planes at a time into this thread's buffer (zero-bordered once per group); a lane
     * group's tile-row blocks copy all its channels' planes with their first block and keep them
     * ({@code shared}: the weight gradient's, whose blocks of one group may run in different threads;
     * null: this thread's).
     */
    private static void inputs(Conv2dGeometry g, Tiles t, Block b, float[] x, int xOff, int c0, int c1, float[] v,
                               Domain vd, float[] shared) {
        int c = g.c(), in = g.inPixels(), nb = b.i1() - b.i0();
        if (!b.lanes()) {
            float[] plane = Scratch.PLANE.of(t.hp() * t.wp()), tmp = Scratch.TMP.of(Conv2dWinogradTransforms.tmpSize(t));
            for (int ch = c0; ch < c1; ch++) {
                for (int i = b.i0(); i < b.i1(); i++) {
                    Conv2dWinogradTransforms.padRows(g, t, b.ty0(), b.ty1(), x, xOff + (i * c + ch) * in, plane);
                    Conv2dWinogradTransforms.input(t, b.ty0(), b.ty1(), plane, tmp, v,
                            ch * vd.rs() + (i - b.i0()) * b.perImage(), vd.xs(), 1);
                }
            }
            return;
        }
        float[] tmp = Scratch.TMP.of(Conv2dWinogradLanes.tmpFloats(t));
        int pf = Conv2dWinogradLanes.planeFloats(t);
        if (b.wholeImages(t)) {
            float[] buf = Scratch.PLANE.of(pf);
            for (int gi = 0; gi < nb; gi += LANES) {
                Arrays.fill(buf, 0, pf, 0f); // the zero border
                for (int ch = c0; ch < c1; ch++) {
                    Conv2dWinogradLanes.toLanes(g, t, 0, t.th(), x, xOff + ((b.i0() + gi) * c + ch) * in, c * in, buf, 0);
                    Conv2dWinogradLanes.input(t, 0, t.th(), buf, 0, tmp, v, ch * vd.rs() + gi, vd.xs(), nb);
                }
            }
            return;
        }
        float[] planes = shared != null ? shared : Scratch.PLANES.of(c * pf);
        if (b.ty0() == 0) {
            Arrays.fill(planes, c0 * pf, c1 * pf, 0f);
            for (int ch = c0; ch < c1; ch++) {
                Conv2dWinogradLanes.toLanes(g, t, 0, t.th(), x, xOff + (b.i0() * c + ch) * in, c * in, planes, ch * pf);
            }
        }
        for (int ch = c0; ch < c1; ch++) {
            Conv2dWinogradLanes.input(t, b.ty0(), b.ty1(), planes, ch * pf, tmp, v, ch * vd.rs(), vd.xs(), nb);
        }
    }

    /** dx of the block's images (+)= B dV Bᵀ over its tiles, all channels. */
    private static void inputGradients(Conv2dGeometry g, Tiles t, Block b, float[] dv, Domain vd, float[] dx, int dxOff,
                                       boolean accumulate) {
        int c = g.c(), in = g.inPixels(), nb = b.i1() - b.i0();
        if (b.lanes()) {
            // whole images: one channel's plane at a time; a group's tile rows: one plane per channel, kept
            int pf = Conv2dWinogradLanes.planeFloats(t), step = b.wholeImages(t) ? 0 : pf;
            float[] buf = b.wholeImages(t) ? Scratch.PLANE.of(pf) : Scratch.PLANES.of(c * pf);
            float[] tmp = Scratch.TMP.of(Conv2dWinogradLanes.tmpFloats(t));
            for (int gi = 0; gi < nb; gi += LANES) {
                for (int ch = 0; ch < c; ch++) {
                    Conv2dWinogradLanes.inputAdjoint(g, t, b.ty0(), b.ty1(), dv, ch * vd.rs() + gi, vd.xs(), nb, tmp, buf,
                            ch * step, dx, dxOff + ((b.i0() + gi) * c + ch) * in, c * in, accumulate);
                }
            }
            return;
        }
        float[] plane = Scratch.PLANE.of(t.hp() * t.wp()), tmp = Scratch.TMP.of(Conv2dWinogradTransforms.tmpSize(t));
        for (int ch = 0; ch < c; ch++) {
            for (int i = b.i0(); i < b.i1(); i++) {
                Conv2dWinogradTransforms.inputAdjoint(g, t, b.ty0(), b.ty1(), dv, ch * vd.rs() + (i - b.i0()) * b.perImage(),
                        vd.xs(), 1, tmp, plane, dx, dxOff + (i * c + ch) * in, accumulate);
            }
        }
    }

    /** y of the block's tiles = Aᵀ M A + bias, all filters. */
    private static void outputs(Conv2dGeometry g, Tiles t, Block b, float[] m, Domain md, float[] bias, int biasOff,
                                float[] y, int yOff) {
        int f = g.f(), out = g.outPixels(), nb = b.i1() - b.i0();
        if (b.lanes()) {
            float[] buf = Scratch.OUT.of(Conv2dWinogradLanes.outputFloats(t, b.ty1() - b.ty0()));
            float[] tmp = Scratch.TMP.of(Conv2dWinogradLanes.tmpFloats(t));
            for (int gi = 0; gi < nb; gi += LANES) {
                for (int ff = 0; ff < f; ff++) {
                    Conv2dWinogradLanes.output(g, t, b.ty0(), b.ty1(), m, ff * md.rs() + gi, md.xs(), nb,
                            bias == null ? 0f : bias[biasOff + ff], tmp, buf, y, yOff + ((b.i0() + gi) * f + ff) * out, f * out);
                }
            }
            return;
        }
        float[] tmp = Scratch.TMP.of(Conv2dWinogradTransforms.tmpSize(t));
        for (int ff = 0; ff < f; ff++) {
            float bf = bias == null ? 0f : bias[biasOff + ff];
            for (int i = b.i0(); i < b.i1(); i++) {
                Conv2dWinogradTransforms.output(g, t, b.ty0(), b.ty1(), m, ff * md.rs() + (i - b.i0()) * b.perImage(), md.xs(), 1,
                        bf, tmp, y, yOff + (i * f + ff) * out);
            }
        }
    }

    /** dM rows [f0, f1) = A dy Aᵀ of the block's tiles. */
    private static void outputGradients(Conv2dGeometry g, Tiles t, Block b, float[] dy, int dyOff, int f0, int f1,
                                        float[] dm, Domain md) {
        int f = g.f(), out = g.outPixels(), nb = b.i1() - b.i0();
        if (b.lanes()) {
            int size = Conv2dWinogradLanes.outputFloats(t, b.ty1() - b.ty0());
            float[] buf = Scratch.OUT.of(size), tmp = Scratch.TMP.of(Conv2dWinogradLanes.tmpFloats(t));
            Arrays.fill(buf, 0, size, 0f); // the zeros past (oh, ow)
            for (int gi = 0; gi < nb; gi += LANES) {
                for (int ff = f0; ff < f1; ff++) {
                    Conv2dWinogradLanes.outputAdjoint(g, t, b.ty0(), b.ty1(), dy, dyOff + ((b.i0() + gi) * f + ff) * out, f * out,
                            tmp, buf, dm, ff * md.rs() + gi, md.xs(), nb);
                }
            }
            return;
        }
        float[] tmp = Scratch.TMP.of(Conv2dWinogradTransforms.tmpSize(t));
        for (int ff = f0; ff < f1; ff++) {
            for (int i = b.i0(); i < b.i1(); i++) {
                Conv2dWinogradTransforms.outputAdjoint(g, t, b.ty0(), b.ty1(), dy, dyOff + (i * f + ff) * out, tmp, dm,
                        ff * md.rs() + (i - b.i0()) * b.perImage(), md.xs(), 1);
            }
        }
    }

    private static void require(Conv2dGeometry g) {
        if (!applies(g)) {
            throw new IllegalArgumentException("conv2d (Winograd): needs a 3×3 or 5×5 kernel, stride 1, dilation 1 and groups 1, got "
                    + g + "; use Conv2dKernels for this geometry");
        }
    }

    /**
     * U[ξ] = G w Gᵀ (F × C), or its transpose (C × F) for the input gradient, packed once for SGEMM
     * in the calling thread's scratch ({@link Conv2dWinogradWeights}): every block reuses them.
     */
    private static Sgemm.PackedA[] transformedWeights(Conv2dGeometry g, float[] w, int wOff, boolean transpose) {
        float[] packed = Scratch.PACKED_U.of(Conv2dWinogradWeights.packedSize(g));
        return Conv2dWinogradWeights.packed(g, w, wOff, transpose, packed, Scratch.U.of(Conv2dWinogradWeights.plainSize(g)));
    }

    /** Per-thread buffers, grown on demand and kept: no large allocation per call once warm. */
    private enum Scratch {
        /** Input-side Winograd-domain block (V, dV) of a worker. */
        V,
        /** Output-side Winograd-domain block (M, dM) of a worker. */
        M,
        /** One padded plane: an image's (scalar form) or a lane group's channel (lane form), a worker's. */
        PLANE,
        /** A lane group's padded planes of every channel, kept for its tile-row blocks (a worker's). */
        PLANES,
        /** A lane group's output rows of one filter (a worker's). */
        OUT,
        /** A tile between a 2-D map's row and column passes (a worker's). */
        TMP,
        /** Transformed weights before packing, when they cannot be written packed (caller). */
        U,
        /** Transformed weights packed for SGEMM (caller, read by the workers). */
        PACKED_U,
        /** Weight gradient in the Winograd domain (caller). */
        DU,
        /** The weight gradient's V and dM, two sets, and its lane planes (caller, shared by the workers). */
        SHARED_V, SHARED_V2, SHARED_M, SHARED_M2, SHARED_PLANES;

        private final ThreadScratch slot = new ThreadScratch();

        float[] of(int size) {
            return slot.of(size);
        }
    }
}
