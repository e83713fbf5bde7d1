package org.jgluon.gluon.nn;

/**
 * Gluon's {@code HybridBlock}. In jgluon every block runs imperatively on the engine's kernels;
 * {@link #hybridize()} is accepted so Gluon code runs unchanged, and the graph-level
 * optimisation it stands for (BatchNorm+ReLU fusion in a Sequential) is always applied.
 */
public abstract class HybridBlock extends Block {
    protected HybridBlock(String alias, String prefix) {
        super(alias, prefix);
    }
}
