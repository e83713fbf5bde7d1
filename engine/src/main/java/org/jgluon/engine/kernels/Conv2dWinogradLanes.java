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

    /** Floats of the lane buffer for input planes (zero-bordered, hp × wp vectors). */
    static int inputBufferSize(Conv2dWinogradTransforms.Tiles t) {
        return t.hp() * t.wp() * LANES;
    }

    /** Floats of the lane buffer for output planes (2·th × 2·tw vectors: whole tiles). */
    static int outputBufferSize(Conv2dWinogradTransforms.Tiles t) {
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
        int rowStep = wp * LANES, o = vOff;
        for (int ty = 0; ty < t.th(); ty++) {
            for (int tx = 0; tx < t.tw(); tx++, o += tileStride) {
                int b0 = (2 * ty * wp + 2 * tx) * LANES, b1 = b0 + rowStep, b2 = b1 + rowStep, b3 = b2 + rowStep;
                FloatVector d20 = load(buf, b2), d21 = load(buf, b2 + LANES), d22 = load(buf, b2 + 2 * LANES), d23 = load(buf, b2 + 3 * LANES);
                FloatVector d10 = load(buf, b1), d11 = load(buf, b1 + LANES), d12 = load(buf, b1 + 2 * LANES), d13 = load(buf, b1 + 3 * LANES);
                FloatVector d00 = load(buf, b0), d01 = load(buf, b0 + LANES), d02 = load(buf, b0 + 2 * LANES), d03 = load(buf, b0 + 3 * LANES);
                inputRow(v, o, xs, d00.sub(d20), d01.sub(d21), d02.sub(d22), d03.sub(d23));
                inputRow(v, o + 4 * xs, xs, d10.add(d20), d11.add(d21), d12.add(d22), d13.add(d23));
                inputRow(v, o + 8 * xs, xs, d20.sub(d10), d21.sub(d11), d22.sub(d12), d23.sub(d13));
                FloatVector d30 = load(buf, b3), d31 = load(buf, b3 + LANES), d32 = load(buf, b3 + 2 * LANES), d33 = load(buf, b3 + 3 * LANES);
                inputRow(v, o + 12 * xs, xs, d10.sub(d30), d11.sub(d31), d12.sub(d32), d13.sub(d33));
            }
        }
    }

    private static void inputRow(float[] v, int o, int xs, FloatVector r0, FloatVector r1, FloatVector r2, FloatVector r3) {
        r0.sub(r2).intoArray(v, o);
        r1.add(r2).intoArray(v, o + xs);
        r2.sub(r1).intoArray(v, o + 2 * xs);
        r1.sub(r3).intoArray(v, o + 3 * xs);
    }

    /**
     * The adjoint of {@link #input}: adds B dV Bᵀ of every tile of the lane group into the images'
     * input-gradient planes at {@code dxOff + lane·imageStride}, through {@code buf} (zeroed here).
     */
    static void inputAdjoint(Conv2dGeometry g, Conv2dWinogradTransforms.Tiles t, float[] dv, int dvOff, int xs, int tileStride,
                             float[] buf, float[] dx, int dxOff, int imageStride) {
        int wp = t.wp(), rowStep = wp * LANES, o = dvOff;
        Arrays.fill(buf, 0, inputBufferSize(t), 0f);
        for (int ty = 0; ty < t.th(); ty++) {
            for (int tx = 0; tx < t.tw(); tx++, o += tileStride) {
                FloatVector v00 = load(dv, o), v01 = load(dv, o + xs), v02 = load(dv, o + 2 * xs), v03 = load(dv, o + 3 * xs);
                FloatVector v10 = load(dv, o + 4 * xs), v11 = load(dv, o + 5 * xs), v12 = load(dv, o + 6 * xs), v13 = load(dv, o + 7 * xs);
                FloatVector v20 = load(dv, o + 8 * xs), v21 = load(dv, o + 9 * xs), v22 = load(dv, o + 10 * xs), v23 = load(dv, o + 11 * xs);
                FloatVector v30 = load(dv, o + 12 * xs), v31 = load(dv, o + 13 * xs), v32 = load(dv, o + 14 * xs), v33 = load(dv, o + 15 * xs);
                int b = (2 * ty * wp + 2 * tx) * LANES;
                inputAdjointRow(buf, b, v00, v01, v02, v03);
                inputAdjointRow(buf, b + rowStep, v10.sub(v20).add(v30), v11.sub(v21).add(v31), v12.sub(v22).add(v32),
                        v13.sub(v23).add(v33));
                inputAdjointRow(buf, b + 2 * rowStep, v10.add(v20).sub(v00), v11.add(v21).sub(v01), v12.add(v22).sub(v02),
                        v13.add(v23).sub(v03));
                inputAdjointRow(buf, b + 3 * rowStep, v30.neg(), v31.neg(), v32.neg(), v33.neg());
            }
        }
        int h = g.h(), w = g.w();
        for (int lane = 0; lane < LANES; lane++) {
            int dst = dxOff + lane * imageStride;
            for (int iy = 0; iy < h; iy++) {
                int src = ((iy + g.padH()) * wp + g.padW()) * LANES + lane, d = dst + iy * w;
                for (int ix = 0; ix < w; ix++, src += LANES) dx[d + ix] += buf[src];
            }
        }
    }

    /** One row of (B dV) times Bᵀ added into the buffer: [w0, w1 − w2 + w3, w1 + w2 − w0, −w3], as the scalar twin. */
    private static void inputAdjointRow(float[] buf, int b, FloatVector w0, FloatVector w1, FloatVector w2, FloatVector w3) {
        load(buf, b).add(w0).intoArray(buf, b);
        load(buf, b + LANES).add(w1.sub(w2).add(w3)).intoArray(buf, b + LANES);
        load(buf, b + 2 * LANES).add(w1.add(w2).sub(w0)).intoArray(buf, b + 2 * LANES);
        load(buf, b + 3 * LANES).sub(w3).intoArray(buf, b + 3 * LANES);
    }

    /**
     * y of one filter for a lane group: Aᵀ M A + bias per tile into {@code buf}
     * ({@link #outputBufferSize}), then the part inside (oh, ow) into each image's plane at
     * {@code yOff + lane·imageStride}.
     */
    static void output(Conv2dGeometry g, Conv2dWinogradTransforms.Tiles t, float[] m, int mOff, int xs, int tileStride,
                       float bias, float[] buf, float[] y, int yOff, int imageStride) {
        int ow2 = 2 * t.tw(), rowStep = ow2 * LANES, o = mOff;
        for (int ty = 0; ty < t.th(); ty++) {
            for (int tx = 0; tx < t.tw(); tx++, o += tileStride) {
                FloatVector m4 = load(m, o + 4 * xs), m8 = load(m, o + 8 * xs);
                FloatVector t00 = load(m, o).add(m4).add(m8), t10 = m4.sub(m8).sub(load(m, o + 12 * xs));
                FloatVector m5 = load(m, o + 5 * xs), m9 = load(m, o + 9 * xs);
                FloatVector t01 = load(m, o + xs).add(m5).add(m9), t11 = m5.sub(m9).sub(load(m, o + 13 * xs));
                FloatVector m6 = load(m, o + 6 * xs), m10 = load(m, o + 10 * xs);
                FloatVector t02 = load(m, o + 2 * xs).add(m6).add(m10), t12 = m6.sub(m10).sub(load(m, o + 14 * xs));
                FloatVector m7 = load(m, o + 7 * xs), m11 = load(m, o + 11 * xs);
                FloatVector t03 = load(m, o + 3 * xs).add(m7).add(m11), t13 = m7.sub(m11).sub(load(m, o + 15 * xs));
                int b = (2 * ty * ow2 + 2 * tx) * LANES;
                t00.add(t01).add(t02).add(bias).intoArray(buf, b);
                t01.sub(t02).sub(t03).add(bias).intoArray(buf, b + LANES);
                t10.add(t11).add(t12).add(bias).intoArray(buf, b + rowStep);
                t11.sub(t12).sub(t13).add(bias).intoArray(buf, b + rowStep + LANES);
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
