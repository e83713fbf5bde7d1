package org.jgluon.engine.kernels;

/**
 * The sizes of one 2-D convolution, NCHW: input x (n, c, h, w), weight (f, c/groups, kh, kw),
 * output (n, f, oh, ow). Checked once by the op; the kernels trust it.
 *
 * <p>Output extent (MXNet, floor): {@code oh = (h + 2·padH − dilH·(kh − 1) − 1) / strideH + 1}.
 */
public record Conv2dGeometry(int n, int c, int h, int w, int f, int kh, int kw,
                             int strideH, int strideW, int padH, int padW, int dilH, int dilW,
                             int groups, int oh, int ow) {

    /** The geometry with the output extents computed from the others. */
    public static Conv2dGeometry of(int n, int c, int h, int w, int f, int kh, int kw,
                                    int strideH, int strideW, int padH, int padW,
                                    int dilH, int dilW, int groups) {
        int oh = (h + 2 * padH - dilH * (kh - 1) - 1) / strideH + 1;
        int ow = (w + 2 * padW - dilW * (kw - 1) - 1) / strideW + 1;
        return new Conv2dGeometry(n, c, h, w, f, kh, kw, strideH, strideW, padH, padW, dilH, dilW, groups, oh, ow);
    }

    /** Input channels per group. */
    public int cg() {
        return c / groups;
    }

    /** Filters per group. */
    public int fg() {
        return f / groups;
    }

    /** Rows of one group's column matrix: cg·kh·kw (the GEMM's inner dimension). */
    public int colRows() {
        return cg() * kh * kw;
    }

    /** Output pixels per image: oh·ow (the GEMM's n dimension). */
    public int outPixels() {
        return oh * ow;
    }

    public int inPixels() {
        return h * w;
    }

    /** Multiply-adds × 2 of the forward pass (the same count for each backward pass). */
    public double flops() {
        return 2.0 * n * f * (double) colRows() * outPixels();
    }

    /** True when the column matrix of a group is the input itself (1×1, stride 1, no padding). */
    public boolean colsAreInput() {
        return kh == 1 && kw == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0;
    }
}
