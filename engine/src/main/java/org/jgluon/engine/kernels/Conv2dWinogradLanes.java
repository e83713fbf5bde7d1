package org.jgluon.engine.kernels;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.jgluon.engine.kernels.Conv2dWinogradTransforms.Tiles;

/**
 * The F(2×2, r×r) transforms of {@link Conv2dWinogradTransforms} for {@link #LANES} images at once,
 * one image per vector lane. For small planes (AlexNet's 4×4 layers at 96: four tiles per plane)
 * the scalar transforms spent more on each plane's set-up than on its tiles and cost half as much
 * as the GEMMs; here a lane group's planes are first transposed into a zero-bordered buffer of
 * vectors ({@code buf[(row·wp + col)·LANES + lane]}, scalar copies), then a tile is α + α 1-D maps
 * on whole vectors for all the lanes, with no gathers.
 *
 * <p>In the Winograd domain a lane group's columns are tile-major ({@code tile·tileStride + lane}),
 * so the lanes of one tile are consecutive columns of the GEMMs. The results are the scalar
 * transforms' to the bit: the same lines, per lane. Each 1-D map loads its inputs and stores its
 * outputs: one method holding a whole tile's vectors made C2 give up on the intrinsics and box every
 * vector (3 MB allocated a call).
 */
final class Conv2dWinogradLanes {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Images per lane group: one per lane. */
    static final int LANES = SPECIES.length();

    private Conv2dWinogradLanes() {}

    /** Floats of one channel's zero-bordered plane of a lane group: hp × wp vectors. */
    static int planeFloats(Tiles t) {
        return t.hp() * t.wp() * LANES;
    }

    /** Floats of a lane group's output rows of tile rows [ty0, ty1): 2·(ty1 − ty0) × 2·tw vectors. */
    static int outputFloats(Tiles t, int rows) {
        return 4 * rows * t.tw() * LANES;
    }

    /** Floats of the half-transformed tile a 2-D map keeps between its row and column passes. */
    static int tmpFloats(Tiles t) {
        return (t.xi() + 2 * t.alpha()) * LANES;
    }

    /**
     * Rows [2·ty0, 2·ty1 + α − 2) of the padded input planes of LANES images (at {@code planeOff +
     * lane·imageStride}) into {@code buf} from {@code bufOff}; only the image part is written (the
     * caller keeps the border zero).
     */
    static void toLanes(Conv2dGeometry g, Tiles t, int ty0, int ty1, float[] x, int planeOff, int imageStride, float[] buf,
                        int bufOff) {
        int w = g.w(), wp = t.wp(), iy0 = Math.max(0, 2 * ty0 - g.padH()), iy1 = Math.min(g.h(), t.rowsEnd(ty1) - g.padH());
        for (int lane = 0; lane < LANES; lane++) {
            int src = planeOff + lane * imageStride;
            for (int iy = iy0; iy < iy1; iy++) {
                int dst = bufOff + ((iy + g.padH()) * wp + g.padW()) * LANES + lane, s = src + iy * w;
                for (int ix = 0; ix < w; ix++, dst += LANES) buf[dst] = x[s + ix];
            }
        }
    }

    /** v[vOff + ξ·xs + tile·tileStride + lane] = (Bᵀ d B)[ξ] for the tiles of rows [ty0, ty1) of a lane plane at bufOff. */
    static void input(Tiles t, int ty0, int ty1, float[] buf, int bufOff, float[] tmp, float[] v, int vOff, int xs,
                      int tileStride) {
        int alpha = t.alpha(), rowStep = t.wp() * LANES, o = vOff;
        for (int ty = ty0; ty < ty1; ty++) {
            for (int tx = 0; tx < t.tw(); tx++, o += tileStride) {
                int at = bufOff + (2 * ty * t.wp() + 2 * tx) * LANES;
                for (int i = 0; i < alpha; i++) bt(alpha, buf, at + i * rowStep, LANES, tmp, i * alpha * LANES, LANES);
                for (int k = 0; k < alpha; k++) bt(alpha, tmp, k * LANES, alpha * LANES, v, o + k * xs, alpha * xs);
            }
        }
    }

    /**
     * The adjoint of {@link #input}: B dV Bᵀ of the tiles of rows [ty0, ty1) added into the lane
     * plane at {@code buf[bufOff]} (zeroed here with the first tile row), then the plane rows no
     * later tile row touches (up to 2·ty1, or the end with the last) into the LANES images' dx planes
     * at {@code dxOff + lane·imageStride}, written or ({@code accumulate}) added. A lane group's
     * tile-row blocks keep one plane per channel across the blocks, so that every row goes out once:
     * a block flushing its own rows sent the α − 2 rows it shares with the next twice, and zeroed and
     * scattered 3× the rows of conv2 at 224 (one tile row per block; its input gradient ran at 0.8×).
     */
    static void inputAdjoint(Conv2dGeometry g, Tiles t, int ty0, int ty1, float[] dv, int dvOff, int xs, int tileStride,
                             float[] tmp, float[] buf, int bufOff, float[] dx, int dxOff, int imageStride, boolean accumulate) {
        int alpha = t.alpha(), wp = t.wp(), rowStep = wp * LANES, o = dvOff;
        if (ty0 == 0) Arrays.fill(buf, bufOff, bufOff + planeFloats(t), 0f);
        for (int ty = ty0; ty < ty1; ty++) {
            for (int tx = 0; tx < t.tw(); tx++, o += tileStride) {
                int at = bufOff + (2 * ty * wp + 2 * tx) * LANES;
                for (int i = 0; i < alpha; i++) b(alpha, dv, o + i * alpha * xs, xs, tmp, i * alpha * LANES, LANES, false);
                for (int k = 0; k < alpha; k++) b(alpha, tmp, k * LANES, alpha * LANES, buf, at + k * LANES, rowStep, true);
            }
        }
        int w = g.w(), rowsEnd = ty1 == t.th() ? t.hp() : 2 * ty1;
        int r0 = Math.max(2 * ty0, g.padH()), r1 = Math.min(rowsEnd, g.padH() + g.h());
        for (int lane = 0; lane < LANES; lane++) {
            int dst = dxOff + lane * imageStride;
            for (int r = r0; r < r1; r++) {
                int src = bufOff + (r * wp + g.padW()) * LANES + lane, d = dst + (r - g.padH()) * w;
                if (accumulate) {
                    for (int ix = 0; ix < w; ix++, src += LANES) dx[d + ix] += buf[src];
                } else {
                    for (int ix = 0; ix < w; ix++, src += LANES) dx[d + ix] = buf[src];
                }
            }
        }
    }

    /**
     * y of one filter for a lane group, the rows of tile rows [ty0, ty1): Aᵀ M A + bias per tile
     * into {@code buf} ({@link #outputFloats}), then the part inside (oh, ow) into each image's
     * plane at {@code yOff + lane·imageStride}.
     */
    static void output(Conv2dGeometry g, Tiles t, int ty0, int ty1, float[] m, int mOff, int xs, int tileStride, float bias,
                       float[] tmp, float[] buf, float[] y, int yOff, int imageStride) {
        int alpha = t.alpha(), rowStep = 2 * t.tw() * LANES, o = mOff;
        for (int ty = ty0; ty < ty1; ty++) {
            for (int tx = 0; tx < t.tw(); tx++, o += tileStride) {
                int to = (2 * (ty - ty0) * 2 * t.tw() + 2 * tx) * LANES;
                for (int i = 0; i < alpha; i++) at(alpha, m, o + i * alpha * xs, xs, tmp, i * 2 * LANES, LANES);
                for (int c = 0; c < 2; c++) atPlus(alpha, tmp, c * LANES, 2 * LANES, bias, buf, to + c * LANES, rowStep);
            }
        }
        int ow = g.ow(), oy0 = 2 * ty0, oy1 = Math.min(g.oh(), 2 * ty1);
        for (int lane = 0; lane < LANES; lane++) {
            int dst = yOff + lane * imageStride;
            for (int oy = oy0; oy < oy1; oy++) {
                int src = (oy - oy0) * rowStep + lane, d = dst + oy * ow;
                for (int ox = 0; ox < ow; ox++, src += LANES) y[d + ox] = buf[src];
            }
        }
    }

    /**
     * The adjoint of {@link #output} for one filter of a lane group: dm[dmOff + ξ·xs + tile·tileStride
     * + lane] = (A dy Aᵀ)[ξ] for the tiles of rows [ty0, ty1), dy from each image's plane at
     * {@code dyOff + lane·imageStride}, 0 past (oh, ow): {@code buf} ({@link #outputFloats}) must
     * hold zeros there (the caller zeroes it once per block: this only ever writes the part inside;
     * zeroing it per filter stored 12 MB a call at conv4, 3 % of its input gradient).
     */
    static void outputAdjoint(Conv2dGeometry g, Tiles t, int ty0, int ty1, float[] dy, int dyOff, int imageStride,
                              float[] tmp, float[] buf, float[] dm, int dmOff, int xs, int tileStride) {
        int alpha = t.alpha(), ow = g.ow(), rowStep = 2 * t.tw() * LANES, oy0 = 2 * ty0, oy1 = Math.min(g.oh(), 2 * ty1);
        for (int lane = 0; lane < LANES; lane++) {
            int src = dyOff + lane * imageStride;
            for (int oy = oy0; oy < oy1; oy++) {
                int dst = (oy - oy0) * rowStep + lane, s = src + oy * ow;
                for (int ox = 0; ox < ow; ox++, dst += LANES) buf[dst] = dy[s + ox];
            }
        }
        int o = dmOff;
        for (int ty = ty0; ty < ty1; ty++) {
            for (int tx = 0; tx < t.tw(); tx++, o += tileStride) {
                int at = (2 * (ty - ty0) * 2 * t.tw() + 2 * tx) * LANES;
                for (int r = 0; r < 2; r++) a(alpha, buf, at + r * rowStep, LANES, tmp, r * alpha * LANES, LANES);
                for (int k = 0; k < alpha; k++) a(alpha, tmp, k * LANES, alpha * LANES, dm, o + k * xs, alpha * xs);
            }
        }
    }

    // ---- the 1-D maps on vectors: Conv2dWinogradTransforms' lines, one lane per image ----
    // (one small method per α: a method holding both was too large for C2 to inline at 8 calls a tile)

    private static void bt(int alpha, float[] src, int s0, int ss, float[] dst, int d0, int ds) {
        if (alpha == 4) bt4(src, s0, ss, dst, d0, ds);
        else bt6(src, s0, ss, dst, d0, ds);
    }

    private static void bt4(float[] src, int s0, int ss, float[] dst, int d0, int ds) {
        FloatVector v0 = load(src, s0), v1 = load(src, s0 + ss), v2 = load(src, s0 + 2 * ss), v3 = load(src, s0 + 3 * ss);
        v0.sub(v2).intoArray(dst, d0);
        v1.add(v2).intoArray(dst, d0 + ds);
        v2.sub(v1).intoArray(dst, d0 + 2 * ds);
        v1.sub(v3).intoArray(dst, d0 + 3 * ds);
    }

    private static void bt6(float[] src, int s0, int ss, float[] dst, int d0, int ds) {
        FloatVector v0 = load(src, s0), v1 = load(src, s0 + ss), v2 = load(src, s0 + 2 * ss), v3 = load(src, s0 + 3 * ss);
        FloatVector v4 = load(src, s0 + 4 * ss), v5 = load(src, s0 + 5 * ss);
        FloatVector s12 = v1.add(v2), d12 = v1.sub(v2), s34 = v3.add(v4), d43 = v4.sub(v3), d42 = v4.sub(v2), d31 = v3.sub(v1);
        v0.mul(4f).add(v4).sub(v2.mul(5f)).intoArray(dst, d0);
        s34.sub(s12.mul(4f)).intoArray(dst, d0 + ds);
        d43.add(d12.mul(4f)).intoArray(dst, d0 + 2 * ds);
        d42.add(d31.mul(2f)).intoArray(dst, d0 + 3 * ds);
        d42.sub(d31.mul(2f)).intoArray(dst, d0 + 4 * ds);
        v1.mul(4f).add(v5).sub(v3.mul(5f)).intoArray(dst, d0 + 5 * ds);
    }

    private static void b(int alpha, float[] src, int s0, int ss, float[] dst, int d0, int ds, boolean add) {
        if (alpha == 4) b4(src, s0, ss, dst, d0, ds, add);
        else b6(src, s0, ss, dst, d0, ds, add);
    }

    private static void b4(float[] src, int s0, int ss, float[] dst, int d0, int ds, boolean add) {
        FloatVector v0 = load(src, s0), v1 = load(src, s0 + ss), v2 = load(src, s0 + 2 * ss), v3 = load(src, s0 + 3 * ss);
        FloatVector r1 = v1.sub(v2).add(v3), r2 = v1.add(v2).sub(v0), r3 = v3.neg();
        // two straight-line tails, no vector passed to a helper or merged at a phi: such a vector
        // was boxed when C2's inlining came out otherwise (132 MB a step under Epsilon GC, b6)
        if (add) {
            load(dst, d0).add(v0).intoArray(dst, d0);
            load(dst, d0 + ds).add(r1).intoArray(dst, d0 + ds);
            load(dst, d0 + 2 * ds).add(r2).intoArray(dst, d0 + 2 * ds);
            load(dst, d0 + 3 * ds).add(r3).intoArray(dst, d0 + 3 * ds);
        } else {
            v0.intoArray(dst, d0);
            r1.intoArray(dst, d0 + ds);
            r2.intoArray(dst, d0 + 2 * ds);
            r3.intoArray(dst, d0 + 3 * ds);
        }
    }

    private static void b6(float[] src, int s0, int ss, float[] dst, int d0, int ds, boolean add) {
        FloatVector v0 = load(src, s0), v1 = load(src, s0 + ss), v2 = load(src, s0 + 2 * ss), v3 = load(src, s0 + 3 * ss);
        FloatVector v4 = load(src, s0 + 4 * ss), v5 = load(src, s0 + 5 * ss);
        FloatVector s12 = v1.add(v2), d12 = v1.sub(v2), s34 = v3.add(v4), d34 = v3.sub(v4);
        FloatVector r0 = v0.mul(4f), r1 = v5.sub(d12).mul(4f).sub(d34.mul(2f));
        FloatVector r2 = v0.mul(5f).add(s12.mul(4f)).add(s34).neg(), r3 = d12.add(d34.mul(2f)).sub(v5.mul(5f));
        FloatVector r4 = v0.add(s12).add(s34);
        if (add) { // as in b4
            load(dst, d0).add(r0).intoArray(dst, d0);
            load(dst, d0 + ds).add(r1).intoArray(dst, d0 + ds);
            load(dst, d0 + 2 * ds).add(r2).intoArray(dst, d0 + 2 * ds);
            load(dst, d0 + 3 * ds).add(r3).intoArray(dst, d0 + 3 * ds);
            load(dst, d0 + 4 * ds).add(r4).intoArray(dst, d0 + 4 * ds);
            load(dst, d0 + 5 * ds).add(v5).intoArray(dst, d0 + 5 * ds);
        } else {
            r0.intoArray(dst, d0);
            r1.intoArray(dst, d0 + ds);
            r2.intoArray(dst, d0 + 2 * ds);
            r3.intoArray(dst, d0 + 3 * ds);
            r4.intoArray(dst, d0 + 4 * ds);
            v5.intoArray(dst, d0 + 5 * ds);
        }
    }

    private static void at(int alpha, float[] src, int s0, int ss, float[] dst, int d0, int ds) {
        if (alpha == 4) at4(src, s0, ss, dst, d0, ds);
        else at6(src, s0, ss, dst, d0, ds);
    }

    /** {@link #at} plus a constant: (Aᵀ s)[a] + bias, the scalar form's order. */
    private static void atPlus(int alpha, float[] src, int s0, int ss, float bias, float[] dst, int d0, int ds) {
        FloatVector m0 = load(src, s0), m1 = load(src, s0 + ss), m2 = load(src, s0 + 2 * ss), m3 = load(src, s0 + 3 * ss);
        if (alpha == 4) {
            m0.add(m1).add(m2).add(bias).intoArray(dst, d0);
            m1.sub(m2).sub(m3).add(bias).intoArray(dst, d0 + ds);
            return;
        }
        FloatVector m4 = load(src, s0 + 4 * ss), m5 = load(src, s0 + 5 * ss);
        m0.add(m1.add(m2)).add(m3.add(m4)).add(bias).intoArray(dst, d0);
        m1.sub(m2).add(m3.sub(m4).mul(2f)).add(m5).add(bias).intoArray(dst, d0 + ds);
    }

    private static void at4(float[] src, int s0, int ss, float[] dst, int d0, int ds) {
        FloatVector m0 = load(src, s0), m1 = load(src, s0 + ss), m2 = load(src, s0 + 2 * ss), m3 = load(src, s0 + 3 * ss);
        m0.add(m1).add(m2).intoArray(dst, d0);
        m1.sub(m2).sub(m3).intoArray(dst, d0 + ds);
    }

    private static void at6(float[] src, int s0, int ss, float[] dst, int d0, int ds) {
        FloatVector m0 = load(src, s0), m1 = load(src, s0 + ss), m2 = load(src, s0 + 2 * ss), m3 = load(src, s0 + 3 * ss);
        FloatVector m4 = load(src, s0 + 4 * ss), m5 = load(src, s0 + 5 * ss);
        m0.add(m1.add(m2)).add(m3.add(m4)).intoArray(dst, d0);
        m1.sub(m2).add(m3.sub(m4).mul(2f)).add(m5).intoArray(dst, d0 + ds);
    }

    private static void a(int alpha, float[] src, int s0, int ss, float[] dst, int d0, int ds) {
        if (alpha == 4) a4(src, s0, ss, dst, d0, ds);
        else a6(src, s0, ss, dst, d0, ds);
    }

    private static void a4(float[] src, int s0, int ss, float[] dst, int d0, int ds) {
        FloatVector y0 = load(src, s0), y1 = load(src, s0 + ss);
        y0.intoArray(dst, d0);
        y0.add(y1).intoArray(dst, d0 + ds);
        y0.sub(y1).intoArray(dst, d0 + 2 * ds);
        y1.neg().intoArray(dst, d0 + 3 * ds);
    }

    private static void a6(float[] src, int s0, int ss, float[] dst, int d0, int ds) {
        FloatVector y0 = load(src, s0), y1 = load(src, s0 + ss), twice = y1.add(y1);
        y0.intoArray(dst, d0);
        y0.add(y1).intoArray(dst, d0 + ds);
        y0.sub(y1).intoArray(dst, d0 + 2 * ds);
        y0.add(twice).intoArray(dst, d0 + 3 * ds);
        y0.sub(twice).intoArray(dst, d0 + 4 * ds);
        y1.intoArray(dst, d0 + 5 * ds);
    }

    private static FloatVector load(float[] a, int at) {
        return FloatVector.fromArray(SPECIES, a, at);
    }
}
