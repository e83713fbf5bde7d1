package org.jgluon.gluon.nn;

import java.util.ArrayList;
import java.util.List;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.memory.Recycling;
import org.jgluon.gluon.Kwargs;

/**
 * Gluon's {@code nn.Sequential}: runs its children in order. A {@link BatchNorm} directly
 * followed by {@code Activation('relu')} runs as one fused BatchNorm+ReLU kernel (training and
 * inference; the results equal the unfused pair), which {@link #summary} marks.
 */
public class Sequential extends Block {

    private final List<Block> blocks = new ArrayList<>();

    public Sequential() {
        this(Kwargs.empty());
    }

    public Sequential(Kwargs kw) {
        this("sequential", kw);
    }

    protected Sequential(String alias, Kwargs kw) {
        super(alias, prefixOf(kw.check("nn." + (alias.equals("sequential") ? "Sequential" : "HybridSequential"), "prefix")));
    }

    /** Appends blocks ({@code net.add(a, b, c)}). */
    public Sequential add(Block... more) {
        for (Block b : more) {
            registerChild(String.valueOf(blocks.size()), b);
            blocks.add(b);
        }
        return this;
    }

    /** The i-th block ({@code net[i]}); negative counts from the end. */
    public Block get(int i) {
        int k = i < 0 ? i + blocks.size() : i;
        if (k < 0 || k >= blocks.size()) {
            throw new IllegalArgumentException(name() + ": index " + i + " is out of range for " + blocks.size() + " blocks");
        }
        return blocks.get(k);
    }

    /** The number of blocks ({@code len(net)}). */
    public int size() {
        return blocks.size();
    }

    /**
     * Runs the children in order. The results passed between built-in children are internal
     * activations ({@link Recycling}): in predict mode each is given back to the buffer pool as
     * soon as the next child has produced its output; when recording, backward gives them back.
     */
    @Override
    public Tensor forward(Tensor x) {
        Recycling.Frame frame = Recycling.enter();
        try {
            for (int i = 0; i < blocks.size(); i++) {
                Block b = blocks.get(i);
                if (b instanceof BatchNorm bn && i + 1 < blocks.size() && blocks.get(i + 1) instanceof Activation a
                        && a.isRelu()) {
                    x = bn.forwardFusedRelu(x, a);
                    i++;
                } else if (isBuiltIn(b)) {
                    x = b.forward(x);
                } else {
                    x = forwardUserBlock(b, x);
                }
                Recycling.checkpoint(frame, x);
            }
        } catch (RuntimeException | Error e) {
            Recycling.abandon(frame);
            throw e;
        }
        return Recycling.exit(frame, x);
    }

    /** A user's block may keep what it is given or makes: nothing it touches is recycled. */
    private static Tensor forwardUserBlock(Block b, Tensor x) {
        Recycling.Frame user = Recycling.enterUserCode(x);
        try {
            return Recycling.exit(user, b.forward(x));
        } catch (RuntimeException | Error e) {
            Recycling.abandon(user);
            throw e;
        }
    }
}
