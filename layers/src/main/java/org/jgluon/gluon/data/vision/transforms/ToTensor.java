package org.jgluon.gluon.data.vision.transforms;

import java.util.function.Function;

import org.jgluon.engine.Tensor;

/**
 * Gluon's {@code transforms.ToTensor()}: an HWC image with values in [0, 255] becomes a CHW
 * float tensor in [0, 1] ({@code x / 255}); a batch (N, H, W, C) becomes (N, C, H, W).
 */
public final class ToTensor implements Function<Tensor, Tensor> {

    @Override
    public Tensor apply(Tensor x) {
        if (x.ndim() == 3) return toChw(x, 1, x.dim(0), x.dim(1), x.dim(2), false);
        if (x.ndim() == 4) return toChw(x, x.dim(0), x.dim(1), x.dim(2), x.dim(3), true);
        throw new IllegalArgumentException("ToTensor: want an HWC image (H, W, C) or a batch (N, H, W, C), got "
                + x.shapeString());
    }

    private static Tensor toChw(Tensor x, int n, int h, int w, int c, boolean batch) {
        float[] src = x.data();
        int off = x.offset();
        int plane = h * w;
        float[] out = new float[n * c * plane];
        if (c == 1) { // HWC and CHW coincide: one straight, vectorisable loop
            for (int i = 0; i < out.length; i++) out[i] = src[off + i] / 255f;
            return batch ? Tensor.wrap(out, n, c, h, w) : Tensor.wrap(out, c, h, w);
        }
        for (int i = 0; i < n; i++) {
            int base = i * c * plane;
            for (int p = 0; p < plane; p++) {
                int s = off + base + p * c;
                for (int k = 0; k < c; k++) out[base + k * plane + p] = src[s + k] / 255f;
            }
        }
        return batch ? Tensor.wrap(out, n, c, h, w) : Tensor.wrap(out, c, h, w);
    }

    @Override
    public String toString() {
        return "ToTensor()";
    }
}
