package org.jgluon.gluon.nn;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.ops.NdOps;

/** {@code nn.Flatten()}: (N, ...) → (N, -1). */
public class Flatten extends HybridBlock {
    public Flatten() {
        super("flatten", null);
    }

    @Override
    public Tensor forward(Tensor x) {
        return guard(x, in -> {
            if (in.ndim() < 1) throw new IllegalArgumentException("Flatten expects an input with a batch axis");
            return in.ndim() == 2 ? in : NdOps.flatten(in);
        });
    }
}
