package org.jgluon.gluon.nn;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.ops.ActivationOps;

/** {@code nn.GELU()}: x·Φ(x). */
public class GELU extends HybridBlock {
    public GELU() {
        super("gelu", null);
    }

    @Override
    public Tensor forward(Tensor x) {
        return guard(x, ActivationOps::gelu);
    }
}
