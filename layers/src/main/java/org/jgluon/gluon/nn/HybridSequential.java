package org.jgluon.gluon.nn;

import org.jgluon.gluon.Kwargs;

/**
 * Gluon's {@code nn.HybridSequential}: the same as {@link Sequential} here (every block runs on
 * the engine's kernels; {@code hybridize()} is accepted). Names are {@code hybridsequential0_}, ...
 */
public class HybridSequential extends Sequential {
    public HybridSequential() {
        this(Kwargs.empty());
    }

    public HybridSequential(Kwargs kw) {
        super("hybridsequential", kw);
    }
}
