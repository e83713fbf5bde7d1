package org.jgluon.gluon.nn;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.ops.PoolOps;
import org.jgluon.gluon.Kwargs;

/** {@code nn.GlobalAvgPool2D()}: (N, C, H, W) → (N, C, 1, 1), the mean of each channel. */
public class GlobalAvgPool2D extends HybridBlock {
    public GlobalAvgPool2D() {
        this(Kwargs.empty());
    }

    public GlobalAvgPool2D(Kwargs kw) {
        super("pool", prefixOf(GlobalMaxPool2D.checkLayout("nn.GlobalAvgPool2D", kw)));
    }

    @Override
    public Tensor forward(Tensor x) {
        return guard(x, PoolOps::globalAvgPool2d);
    }
}
