package org.jgluon.engine.ops;

import org.jgluon.engine.Rng;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.autograd.GradTarget;
import org.jgluon.engine.kernels.DropoutKernels;

/** MXNet's Dropout as a recorded op. */
public final class DropoutOps {

    private DropoutOps() {}

    /**
     * Identity unless {@link Autograd#isTraining()}; in train mode element {@code i} is kept iff
     * {@code Rng.uniform(seed, i) >= rate} with {@code seed = Rng.global().nextSeed()}, and scaled
     * by {@code 1/(1−rate)}. Returns {@code x} itself in predict mode or for rate 0 (as MXNet).
     */
    public static Tensor dropout(Tensor x, float rate) {
        if (!(rate >= 0f && rate < 1f)) {
            throw new IllegalArgumentException("dropout: rate must be in [0, 1), got " + rate + " for input "
                    + x.shapeString());
        }
        if (!Autograd.isTraining() || rate == 0f) return x;
        long seed = Rng.global().nextSeed();
        int n = x.size();
        Tensor y = Tensor.pooled(x.shape()); // the kernel writes every element
        DropoutKernels.forward(x.data(), x.offset(), y.data(), 0, n, rate, seed);
        // y = x·mask/(1−rate), any shape. Backward needs only the seed: the mask is recomputed.
        return Autograd.recordOp("dropout", y, dy -> {
            GradTarget dx = x.gradTarget(); // dx (+)= dy·mask/(1−rate)
            DropoutKernels.backward(dy.data(), dy.offset(), dx.data(), dx.offset(), n, rate, seed, dx.accumulate());
        }, x);
    }
}
