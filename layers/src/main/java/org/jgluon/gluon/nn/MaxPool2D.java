package org.jgluon.gluon.nn;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.ops.PoolOps;
import org.jgluon.gluon.Kwargs;

/**
 * {@code nn.MaxPool2D(pool_size=2, strides=None, padding=0, ceil_mode=False, layout='NCHW')};
 * strides default to pool_size. x (N, C, H, W) → (N, C, OH, OW); backward via {@code PoolOps}.
 */
public class MaxPool2D extends HybridBlock {

    final int[] pool, strides, padding;
    final boolean ceilMode;

    public MaxPool2D() {
        this(Kwargs.empty());
    }

    public MaxPool2D(Kwargs kw) {
        this(kw.check("nn.MaxPool2D", "pool_size", "strides", "padding", "ceil_mode", "layout", "prefix"), true);
    }

    /** {@code MaxPool2D(pool_size, strides)}. */
    public MaxPool2D(int poolSize, int strides) {
        this(Kwargs.kw("pool_size", poolSize, "strides", strides));
    }

    MaxPool2D(Kwargs kw, boolean checked) {
        super("pool", prefixOf(kw));
        this.pool = kw.getIntPair("pool_size", 2);
        this.strides = kw.getIntPair("strides", pool);
        this.padding = kw.getIntPair("padding", 0);
        this.ceilMode = kw.getBool("ceil_mode", false);
        String layout = kw.getString("layout", "NCHW");
        if (!layout.equals("NCHW")) throw new IllegalArgumentException("nn." + getClass().getSimpleName() + ": only layout 'NCHW' is supported");
        for (int i = 0; i < 2; i++) {
            Conv2D.positive("pool_size", pool[i]);
            Conv2D.positive("strides", strides[i]);
            if (padding[i] < 0) throw new IllegalArgumentException("padding must be >= 0, got " + padding[i]);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        return guard(x, in -> PoolOps.maxPool2d(in, pool, strides, padding, ceilMode));
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(size=" + Conv2D.pair(pool) + ", stride=" + Conv2D.pair(strides) + ", padding="
                + Conv2D.pair(padding) + ", ceil_mode=" + (ceilMode ? "True" : "False") + ")";
    }

    @Override
    public String describe() {
        return getClass().getSimpleName() + " " + pool[0] + "\u00d7" + pool[1] + ", stride " + strides[0] + "\u00d7" + strides[1];
    }
}
