package org.jgluon.gluon.nn;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.ops.PoolOps;
import org.jgluon.gluon.Kwargs;

/** {@code nn.GlobalMaxPool2D()}: (N, C, H, W) → (N, C, 1, 1), the maximum of each channel. */
public class GlobalMaxPool2D extends HybridBlock {
    public GlobalMaxPool2D() {
        this(Kwargs.empty());
    }

    public GlobalMaxPool2D(Kwargs kw) {
        super("pool", prefixOf(checkLayout("nn.GlobalMaxPool2D", kw)));
    }

    static Kwargs checkLayout(String owner, Kwargs kw) {
        kw.check(owner, "layout", "prefix");
        if (!kw.getString("layout", "NCHW").equals("NCHW")) {
            throw new IllegalArgumentException(owner + ": only layout 'NCHW' is supported");
        }
        return kw;
    }

    @Override
    public Tensor forward(Tensor x) {
        return guard(x, PoolOps::globalMaxPool2d);
    }
}
