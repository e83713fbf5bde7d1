package org.jgluon.engine.kernels;

/**
 * The sizes of one 2-D pooling, NCHW: input (n, c, h, w), window kh×kw moved by (strideH, strideW)
 * over the input padded by (padH, padW) on each side, output (n, c, oh, ow).
 *
 * <p>Output extent as MXNet: {@code oh = 1 + (h + 2·padH − kh) / strideH}, rounded down, or up
 * with {@code ceil_mode}. With ceil_mode and padding the last window may lie wholly in the
 * padding; such an empty window gives 0 and passes no gradient (MXNet would give −FLT_MAX).
 */
public record Pool2dGeometry(int n, int c, int h, int w, int kh, int kw, int strideH, int strideW,
                             int padH, int padW, int oh, int ow) {

    public static Pool2dGeometry of(int n, int c, int h, int w, int kh, int kw, int strideH, int strideW,
                                    int padH, int padW, boolean ceilMode) {
        return new Pool2dGeometry(n, c, h, w, kh, kw, strideH, strideW, padH, padW,
                outExtent(h, kh, strideH, padH, ceilMode), outExtent(w, kw, strideW, padW, ceilMode));
    }

    /** Global pooling: one window over the whole plane. */
    public static Pool2dGeometry global(int n, int c, int h, int w) {
        return new Pool2dGeometry(n, c, h, w, h, w, 1, 1, 0, 0, 1, 1);
    }

    static int outExtent(int in, int k, int stride, int pad, boolean ceilMode) {
        int span = in + 2 * pad - k;
        return 1 + (ceilMode ? Math.floorDiv(span + stride - 1, stride) : Math.floorDiv(span, stride));
    }

    public int planes() {
        return n * c;
    }

    public int inPixels() {
        return h * w;
    }

    public int outPixels() {
        return oh * ow;
    }
}
