package org.jgluon.engine.ops;

import static org.jgluon.engine.autograd.GradCheck.check;
import static org.jgluon.engine.autograd.GradCheck.distinct;
import static org.jgluon.engine.autograd.GradCheck.uniform;

import org.jgluon.engine.Tensor;
import org.junit.jupiter.api.Test;

/** Every differentiable NdOps op: backward against central finite differences. */
class NdOpsGradTest {

    private static Tensor u(long seed, int... shape) {
        return uniform(seed, -1f, 1f, shape);
    }

    private static Tensor pos(long seed, int... shape) {
        return uniform(seed, 0.5f, 2f, shape);
    }

    @Test
    void arithmeticSameShape() {
        check("add", t -> NdOps.add(t[0], t[1]), u(1, 2, 3), u(2, 2, 3));
        check("sub", t -> NdOps.sub(t[0], t[1]), u(1, 2, 3), u(2, 2, 3));
        check("mul", t -> NdOps.mul(t[0], t[1]), u(1, 2, 3), u(2, 2, 3));
        check("div", t -> NdOps.div(t[0], t[1]), u(1, 2, 3), pos(2, 2, 3));
        check("pow", 1e-3, 1e-2, t -> NdOps.pow(t[0], t[1]), pos(1, 2, 3), u(2, 2, 3));
        check("maximum", t -> NdOps.maximum(t[0], t[1]), distinct(1, -1f, 0.1f, 2, 3), distinct(2, -0.95f, 0.1f, 2, 3));
        check("minimum", t -> NdOps.minimum(t[0], t[1]), distinct(1, -1f, 0.1f, 2, 3), distinct(2, -0.95f, 0.1f, 2, 3));
    }

    @Test
    void arithmeticBroadcastsBothWays() {
        // (2, 3) with (3,): b is summed over the rows
        check("add row", t -> NdOps.add(t[0], t[1]), u(1, 2, 3), u(2, 3));
        // (4, 1) with (1, 3): each input broadcast along a different axis
        check("mul cross", t -> NdOps.mul(t[0], t[1]), u(3, 4, 1), u(4, 1, 3));
        check("sub cross", t -> NdOps.sub(t[0], t[1]), u(3, 4, 1), u(4, 1, 3));
        check("div cross", t -> NdOps.div(t[0], t[1]), u(3, 4, 1), pos(4, 1, 3));
        check("pow cross", 1e-3, 1e-2, t -> NdOps.pow(t[0], t[1]), pos(3, 4, 1), u(4, 1, 3));
        // channel-wise (N, C, H, W) with (1, C, 1, 1): reduced over axes 0, 2, 3
        check("mul channel", t -> NdOps.mul(t[0], t[1]), u(5, 2, 3, 2, 2), u(6, 1, 3, 1, 1));
        // lower rank on the left, and a (1,) scalar tensor
        check("div scalar tensor", t -> NdOps.div(t[0], t[1]), u(7, 3, 2), pos(8, 1));
        check("sub left scalar", t -> NdOps.sub(t[0], t[1]), u(8, 1), u(7, 3, 2));
        check("maximum bcast", t -> NdOps.maximum(t[0], t[1]), distinct(9, -1f, 0.13f, 3, 4), distinct(10, -0.9f, 0.17f, 4));
        check("minimum bcast", t -> NdOps.minimum(t[0], t[1]), distinct(9, -1f, 0.13f, 3, 1), distinct(10, -0.9f, 0.17f, 4));
    }

    @Test
    void scalarOps() {
        check("addScalar", t -> NdOps.addScalar(t[0], 3f), u(1, 2, 3));
        check("subScalar", t -> NdOps.subScalar(t[0], 3f), u(1, 2, 3));
        check("rsubScalar", t -> NdOps.rsubScalar(t[0], 3f), u(1, 2, 3));
        check("mulScalar", t -> NdOps.mulScalar(t[0], -2.5f), u(1, 2, 3));
        check("divScalar", t -> NdOps.divScalar(t[0], 4f), u(1, 2, 3));
        check("rdivScalar", 1e-3, 1e-2, t -> NdOps.rdivScalar(t[0], 2f), pos(1, 2, 3));
        check("powScalar", 1e-3, 1e-2, t -> NdOps.powScalar(t[0], 2.5f), pos(1, 2, 3));
        check("rpowScalar", 1e-3, 1e-2, t -> NdOps.rpowScalar(t[0], 1.7f), u(1, 2, 3));
    }

    @Test
    void unaryOps() {
        check("neg", t -> NdOps.neg(t[0]), u(1, 2, 3));
        check("exp", 1e-3, 1e-2, t -> NdOps.exp(t[0]), u(1, 2, 3));
        check("log", 1e-3, 1e-2, t -> NdOps.log(t[0]), pos(1, 2, 3));
        check("sqrt", 1e-3, 1e-2, t -> NdOps.sqrt(t[0]), pos(1, 2, 3));
        check("abs", t -> NdOps.abs(t[0]), distinct(1, -0.55f, 0.1f, 2, 3));
        check("square", t -> NdOps.square(t[0]), u(1, 2, 3));
    }

    @Test
    void reductions() {
        int[][] axesSets = {null, {0}, {1}, {-1}, {0, 2}, {1, 2}, {0, 1, 2}};
        for (int[] axes : axesSets) {
            for (boolean keep : new boolean[] {false, true}) {
                String tag = java.util.Arrays.toString(axes) + " keepdims=" + keep;
                check("sum " + tag, t -> NdOps.sum(t[0], axes, keep), u(1, 2, 3, 4));
                check("mean " + tag, t -> NdOps.mean(t[0], axes, keep), u(1, 2, 3, 4));
                check("max " + tag, t -> NdOps.max(t[0], axes, keep), distinct(2, -1f, 0.05f, 2, 3, 4));
                check("min " + tag, t -> NdOps.min(t[0], axes, keep), distinct(3, -1f, 0.05f, 2, 3, 4));
            }
        }
        // the middle pattern [R, K, R] of a 4-D tensor: the general reduction path
        check("sum [R,K,R]", t -> NdOps.sum(t[0], new int[] {0, 2, 3}, false), u(4, 2, 3, 2, 2));
    }

    @Test
    void shapeOps() {
        check("reshape", t -> NdOps.mul(NdOps.reshape(t[0], 3, -1), t[1]), u(1, 2, 3), u(2, 3, 2));
        check("reshape 0 code", t -> NdOps.reshape(t[0], 0, -1), u(1, 2, 3, 2));
        check("flatten", t -> NdOps.flatten(t[0]), u(1, 2, 3, 2));
        check("expandDims", t -> NdOps.mul(NdOps.expandDims(t[0], 1), t[1]), u(1, 2, 3), u(2, 2, 4, 3));
        check("transpose reverse", t -> NdOps.transpose(t[0]), u(1, 2, 3, 4));
        check("transpose perm", t -> NdOps.transpose(t[0], 1, 2, 0), u(1, 2, 3, 4));
        check("transpose 2d", t -> NdOps.mul(NdOps.transpose(t[0]), t[1]), u(1, 3, 2), u(2, 2, 3));
        check("concat axis 0", t -> NdOps.concat(0, t[0], t[1]), u(1, 2, 3), u(2, 1, 3));
        check("concat axis 1", t -> NdOps.concat(1, t[0], t[1], t[2]), u(1, 2, 1, 2), u(2, 2, 3, 2), u(3, 2, 2, 2));
        check("concat same input twice", t -> NdOps.concat(-1, t[0], t[0]), u(1, 2, 3));
    }

    @Test
    void dotAllTransposeFlags() {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Tensor a = ta ? u(1, 4, 3) : u(1, 3, 4);
                Tensor b = tb ? u(2, 5, 4) : u(2, 4, 5);
                check("dot ta=" + ta + " tb=" + tb, t -> NdOps.dot(t[0], t[1], ta, tb), a, b);
            }
        }
        check("dot 1-D . 1-D", t -> NdOps.dot(t[0], t[1], false, false), u(1, 5), u(2, 5));
        check("dot 2-D . 1-D", t -> NdOps.dot(t[0], t[1], false, false), u(1, 3, 5), u(2, 5));
        check("dot 1-D . 2-D", t -> NdOps.dot(t[0], t[1], false, false), u(1, 3), u(2, 3, 4));
        check("dot 3-D . 2-D", t -> NdOps.dot(t[0], t[1], false, false), u(1, 2, 3, 4), u(2, 4, 2));
        check("dot 3-D^T . 3-D", t -> NdOps.dot(t[0], t[1], true, false), u(1, 3, 2, 2), u(2, 3, 2, 2));
        check("dot same input", t -> NdOps.dot(t[0], t[0], false, true), u(1, 3, 4));
    }

    @Test
    void dense() {
        check("dense", t -> NdOps.dense(t[0], t[1], t[2]), u(1, 5, 7), u(2, 3, 7), u(3, 3));
        check("dense no bias", t -> NdOps.dense(t[0], t[1], null), u(1, 4, 6), u(2, 2, 6));
        check("dense flattens", t -> NdOps.dense(t[0], t[1], t[2]), u(1, 2, 3, 2), u(2, 4, 6), u(3, 4));
    }

    @Test
    void composedGraph() {
        // a small MLP-like chain with a leaf used in several places
        check("chain", t -> {
            Tensor h = NdOps.dense(t[0], t[1], t[2]);
            Tensor z = NdOps.mul(NdOps.exp(NdOps.mulScalar(h, 0.3f)), NdOps.addScalar(NdOps.square(t[2]), 1f));
            return NdOps.mean(NdOps.sub(z, NdOps.sum(t[1], new int[] {1}, false)), new int[] {1}, true);
        }, u(1, 3, 4), u(2, 2, 4), u(3, 2));
    }
}
