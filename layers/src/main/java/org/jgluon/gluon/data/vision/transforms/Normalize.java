package org.jgluon.gluon.data.vision.transforms;

import java.util.Arrays;
import java.util.function.Function;

import org.jgluon.engine.Tensor;

/**
 * Gluon's {@code transforms.Normalize(mean, std)}: {@code (x[c] - mean[c]) / std[c]} for each
 * channel of a CHW tensor (or each image of an NCHW batch). One value applies to every channel.
 */
public final class Normalize implements Function<Tensor, Tensor> {

    private final float[] mean;
    private final float[] std;

    public Normalize(float mean, float std) {
        this(new float[] {mean}, new float[] {std});
    }

    public Normalize(float[] mean, float[] std) {
        if (mean.length == 0 || std.length == 0) throw new IllegalArgumentException("Normalize: mean and std must not be empty");
        for (float s : std) {
            if (!(s != 0) || Float.isNaN(s)) throw new IllegalArgumentException("Normalize: std must be non-zero, got " + Arrays.toString(std));
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    @Override
    public Tensor apply(Tensor x) {
        if (x.ndim() != 3 && x.ndim() != 4) {
            throw new IllegalArgumentException("Normalize: want a CHW tensor (C, H, W) or a batch (N, C, H, W), got "
                    + x.shapeString() + "; apply ToTensor first");
        }
        int cAxis = x.ndim() - 3;
        int c = x.dim(cAxis);
        for (float[] v : new float[][] {mean, std}) {
            if (v.length != 1 && v.length != c) {
                throw new IllegalArgumentException("Normalize: mean " + Arrays.toString(mean) + " and std "
                        + Arrays.toString(std) + " need 1 or " + c + " values for the " + c + " channels of " + x.shapeString());
            }
        }
        int plane = x.dim(cAxis + 1) * x.dim(cAxis + 2);
        int n = cAxis == 0 ? 1 : x.dim(0);
        float[] src = x.data();
        int off = x.offset();
        float[] out = new float[x.size()];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < c; k++) {
                float m = mean[mean.length == 1 ? 0 : k], s = std[std.length == 1 ? 0 : k];
                int base = (i * c + k) * plane;
                for (int p = 0; p < plane; p++) out[base + p] = (src[off + base + p] - m) / s;
            }
        }
        return Tensor.wrap(out, x.shape());
    }

    @Override
    public String toString() {
        return "Normalize(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
    }
}
