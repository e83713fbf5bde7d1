package org.jgluon.gluon.nn;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.ops.PoolOps;
import org.jgluon.gluon.Kwargs;

/**
 * {@code nn.AvgPool2D(pool_size=2, strides=None, padding=0, ceil_mode=False, layout='NCHW',
 * count_include_pad=True)}. x (N, C, H, W) → (N, C, OH, OW); backward via {@code PoolOps}.
 */
public class AvgPool2D extends MaxPool2D {

    private final boolean countIncludePad;

    public AvgPool2D() {
        this(Kwargs.empty());
    }

    public AvgPool2D(Kwargs kw) {
        super(kw.check("nn.AvgPool2D", "pool_size", "strides", "padding", "ceil_mode", "layout", "count_include_pad",
                "prefix"), true);
        this.countIncludePad = kw.getBool("count_include_pad", true);
    }

    public AvgPool2D(int poolSize, int strides) {
        this(Kwargs.kw("pool_size", poolSize, "strides", strides));
    }

    @Override
    public Tensor forward(Tensor x) {
        return guard(x, in -> PoolOps.avgPool2d(in, pool, strides, padding, ceilMode, countIncludePad));
    }
}
