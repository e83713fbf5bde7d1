package org.jgluon.engine.kernels;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The F(2×2, 3×3) transforms of {@link Conv2dWinogradTransforms} for {@link #LANES} images at once,
 * one image per vector lane: for small planes (AlexNet's 4×4 layers at 96: four tiles per 4×4
 * plane) the scalar transforms spent more on each plane's set-up than on its tiles and cost half as
 * much as the GEMMs. Here a channel's planes of the lane group are first transposed into a
 * zero-bordered buffer of vectors ({@code buf[(row·wp + col)·LANES + lane]}, scalar copies in L1),
 * then every tile is 16 vector loads, 32 adds and 16 vector stores for all the lanes.
 *
 * <p>Layout in the Winograd domain: tile-major, {@code p = tile·tileStride + lane}, so the lanes
 * of one tile are consecutive columns of the GEMMs. The results are the scalar transforms' to the
 * bit: the same adds in the same order, per lane.
 */
final class Conv2dWinogradLanes {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Images per lane group: one per lane. */
    static final int LANES = SPECIES.length();

    private Conv2dWinogradLanes() {}

    /**
     * Floats of the lane buffer for input planes: zero-bordered hp × wp vectors, then 16 vectors for
     * one tile between its row and column passes.
     */
    static int inputBufferSize(Conv2dWinogradTransforms.Tiles t) {
        return planeFloats(t) + 16 * LANES;
    }

    /** Floats of the lane buffer for output planes: 2·th × 2·tw vectors (whole tiles), then 16 for one tile. */
    static int outputBufferSize(Conv2dWinogradTransforms.Tiles t) {
        return outputFloats(t) + 16 * LANES;
    }

    private static int planeFloats(Conv2dWinogradTransforms.Tiles t) {
        return t.hp() * t.wp() * LANES;
    }

    private static int outputFloats(Conv2dWinogradTransforms.Tiles t) {
        return 4 * t.th() * t.tw() * LANES;
    }

    /**
     * V for one channel of a lane group: v[vOff + ξ·xs + tile·tileStride + lane] = (Bᵀ d B)[ξ] of
     * tile `tile` of image lane, the images' planes at {@code planeOff + lane·imageStride}.
     * {@code buf} ({@link #inputBufferSize}) must hold zeros outside the image part (the caller
     * zeroes it once per lane group: this only ever writes the image part).
     */
    static void input(Conv2dGeometry g, Conv2dWinogradTransforms.Tiles t, float[] x, int planeOff, int imageStride,
                      float[] buf, float[] v, int vOff, int xs, int tileStride) {
        int h = g.h(), w = g.w(), wp = t.wp();
        for (int lane = 0; lane < LANES; lane++) {
            int src = planeOff + lane * imageStride;
            for (int iy = 0; iy < h; iy++) {
                int dst = ((iy + g.padH()) * wp + g.padW()) * LANES + lane, s = src + iy * w;
                for (int ix = 0; ix < w; ix++, dst += LANES) buf[dst] = x[s + ix];
            }
        }
        // Each tile in two passes through 16 vectors of the buffer's tail: one pass with all 16 tile
        // vectors live in one method made C2 give up on intrinsics and box every vector (3 MB a call).
        int rowStep = wp * LANES, o = vOff, tmp = planeFloats(t);
        for (int ty = 0; ty < t.th(); ty++) {
            for (int tx = 0; tx < t.tw(); tx++, o += tileStride) {
                int b0 = (2 * ty * wp + 2 * tx) * LANES;
                for (int s = 0; s < 4; s++) {
                    // column s of Bᵀ d: d0 − d2, d1 + d2, d2 − d1, d1 − d3
                    int b = b0 + s * LANES;
                    FloatVector d0 = load(buf, b), d1 = load(buf, b + rowStep), d2 = load(buf, b + 2 * rowStep);
                    FloatVector d3 = load(buf, b + 3 * rowStep);
                    d0.sub(d2).intoArray(buf, tmp + s * LANES);
                    d1.add(d2).intoArray(buf, tmp + (4 + s) * LANES);
                    d2.sub(d1).intoArray(buf, tmp + (8 + s) * LANES);
                    d1.sub(d3).intoArray(buf, tmp + (12 + s) * LANES);
                }
                for (int r = 0; r < 4; r++) {
                    // row r times B: r0 − r2, r1 + r2, r2 − r1, r1 − r3
                    int a = tmp + 4 * r * LANES, out = o + 4 * r * xs;
                    FloatVector r0 = load(buf, a), r1 = load(buf, a + LANES), r2 = load(buf, a + 2 * LANES);
                    FloatVector r3 = load(buf, a + 3 * LANES);
                    r0.sub(r2).intoArray(v, out);
                    r1.add(r2).intoArray(v, out + xs);
                    r2.sub(r1).intoArray(v, out + 2 * xs);
                    r1.sub(r3).intoArray(v, out + 3 * xs);
                }
            }
        }
    }

    /**
     * The adjoint of {@link #input}: adds B dV Bᵀ of every tile of the lane group into the images'
     * input-gradient planes at {@code dxOff + lane·imageStride} (or writes it over them when not
     * {@code accumulate}), through {@code buf} (zeroed here).
     */
    static void inputAdjoint(Conv2dGeometry g, Conv2dWinogradTransforms.Tiles t, float[] dv, int dvOff, int xs, int tileStride,
                             float[] buf, float[] dx, int dxOff, int imageStride, boolean accumulate) {
        int wp = t.wp(), rowStep = wp * LANES, o = dvOff, tmp = planeFloats(t);
        Arrays.fill(buf, 0, planeFloats(t), 0f);
        for (int ty = 0; ty < t.th(); ty++) {
            for (int tx = 0; tx < t.tw(); tx++, o += tileStride) {
                for (int s = 0; s < 4; s++) {
                    // column s of B dV: v0, v1 − v2 + v3, v1 + v2 − v0, −v3
                    FloatVector v0 = load(dv, o + s * xs), v1 = load(dv, o + (4 + s) * xs), v2 = load(dv, o + (8 + s) * xs);
                    FloatVector v3 = load(dv, o + (12 + s) * xs);
                    v0.intoArray(buf, tmp + s * LANES);
                    v1.sub(v2).add(v3).intoArray(buf, tmp + (4 + s) * LANES);
                    v1.add(v2).sub(v0).intoArray(buf, tmp + (8 + s) * LANES);
                    v3.neg().intoArray(buf, tmp + (12 + s) * LANES);
                }
                int b0 = (2 * ty * wp + 2 * tx) * LANES;
                for (int r = 0; r < 4; r++) {
                    // row r times Bᵀ, added into the plane: w0, w1 − w2 + w3, w1 + w2 − w0, −w3
                    int a = tmp + 4 * r * LANES, b = b0 + r * rowStep;
                    FloatVector w0 = load(buf, a), w1 = load(buf, a + LANES), w2 = load(buf, a + 2 * LANES);
                    FloatVector w3 = load(buf, a + 3 * LANES);
                    load(buf, b).add(w0).intoArray(buf, b);
                    load(buf, b + LANES).add(w1.sub(w2).add(w3)).intoArray(buf, b + LANES);
                    load(buf, b + 2 * LANES).add(w1.add(w2).sub(w0)).intoArray(buf, b + 2 * LANES);
                    load(buf, b + 3 * LANES).sub(w3).intoArray(buf, b + 3 * LANES);
                }
            }
        }
        int h = g.h(), w = g.w();
        for (int lane = 0; lane < LANES; lane++) {
            int dst = dxOff + lane * imageStride;
            for (int iy = 0; iy < h; iy++) {
                int src = ((iy + g.padH()) * wp + g.padW()) * LANES + lane, d = dst + iy * w;
                if (accumulate) {
                    for (int ix = 0; ix < w; ix++, src += LANES) dx[d + ix] += buf[src];
                } else {
                    for (int ix = 0; ix < w; ix++, src += LANES) dx[d + ix] = buf[src];
                }
            }
        }
    }

    /**
     * y of one filter for a lane group: Aᵀ M A + bias per tile into {@code buf}
     * ({@link #outputBufferSize}), then the part inside (oh, ow) into each image's plane at
     * {@code yOff + lane·imageStride}.
     */
    static void output(Conv2dGeometry g, Conv2dWinogradTransforms.Tiles t, float[] m, int mOff, int xs, int tileStride,
                       float bias, float[] buf, float[] y, int yOff, int imageStride) {
        int ow2 = 2 * t.tw(), rowStep = ow2 * LANES, o = mOff, tmp = outputFloats(t);
        for (int ty = 0; ty < t.th(); ty++) {
            for (int tx = 0; tx < t.tw(); tx++, o += tileStride) {
                for (int s = 0; s < 4; s++) {
                    // column s of Aᵀ M: m0 + m1 + m2, m1 − m2 − m3
                    FloatVector m0 = load(m, o + s * xs), m1 = load(m, o + (4 + s) * xs), m2 = load(m, o + (8 + s) * xs);
                    FloatVector m3 = load(m, o + (12 + s) * xs);
                    m0.add(m1).add(m2).intoArray(buf, tmp + s * LANES);
                    m1.sub(m2).sub(m3).intoArray(buf, tmp + (4 + s) * LANES);
                }
                int b = (2 * ty * ow2 + 2 * tx) * LANES;
                for (int r = 0; r < 2; r++) {
                    // row r times A: t0 + t1 + t2, t1 − t2 − t3 (+ bias)
                    int a = tmp + 4 * r * LANES, at = b + r * rowStep;
                    FloatVector t0 = load(buf, a), t1 = load(buf, a + LANES), t2 = load(buf, a + 2 * LANES);
                    FloatVector t3 = load(buf, a + 3 * LANES);
                    t0.add(t1).add(t2).add(bias).intoArray(buf, at);
                    t1.sub(t2).sub(t3).add(bias).intoArray(buf, at + LANES);
                }
            }
        }
        int oh = g.oh(), ow = g.ow();
        for (int lane = 0; lane < LANES; lane++) {
            int dst = yOff + lane * imageStride;
            for (int oy = 0; oy < oh; oy++) {
                int src = oy * rowStep + lane, d = dst + oy * ow;
                for (int ox = 0; ox < ow; ox++, src += LANES) y[d + ox] = buf[src];
            }
        }
    }

    /**
     * The adjoint of {@link #output} for one filter of a lane group: dm[dmOff + ξ·xs + tile·tileStride
     * + lane] = (A dy Aᵀ)[ξ], dy from each image's plane at {@code dyOff + lane·imageStride}.
     * {@code buf} ({@link #outputBufferSize}) must hold zeros past (oh, ow) (the caller zeroes it
     * once per lane group: this only ever writes the part inside).
     */
    static void outputAdjoint(Conv2dGeometry g, Conv2dWinogradTransforms.Tiles t, float[] dy, int dyOff, int imageStride,
                              float[] buf, float[] dm, int dmOff, int xs, int tileStride) {
        int oh = g.oh(), ow = g.ow(), ow2 = 2 * t.tw(), rowStep = ow2 * LANES;
        for (int lane = 0; lane < LANES; lane++) {
            int src = dyOff + lane * imageStride;
            for (int oy = 0; oy < oh; oy++) {
                int dst = oy * rowStep + lane, s = src + oy * ow;
                for (int ox = 0; ox < ow; ox++, dst += LANES) buf[dst] = dy[s + ox];
            }
        }
        int o = dmOff;
        for (int ty = 0; ty < t.th(); ty++) {
            for (int tx = 0; tx < t.tw(); tx++, o += tileStride) {
                int b = (2 * ty * ow2 + 2 * tx) * LANES;
                FloatVector a = load(buf, b), bb = load(buf, b + LANES), c = load(buf, b + rowStep), d = load(buf, b + rowStep + LANES);
                outputAdjointRow(dm, o, xs, a, bb);
                outputAdjointRow(dm, o + 4 * xs, xs, a.add(c), bb.add(d));
                outputAdjointRow(dm, o + 8 * xs, xs, a.sub(c), bb.sub(d));
                outputAdjointRow(dm, o + 12 * xs, xs, c.neg(), d.neg());
            }
        }
    }

    private static void outputAdjointRow(float[] dm, int o, int xs, FloatVector p, FloatVector q) {
        p.intoArray(dm, o);
        p.add(q).intoArray(dm, o + xs);
        p.sub(q).intoArray(dm, o + 2 * xs);
        q.neg().intoArray(dm, o + 3 * xs);
    }

    private static FloatVector load(float[] a, int at) {
        return FloatVector.fromArray(SPECIES, a, at);
    }
}
