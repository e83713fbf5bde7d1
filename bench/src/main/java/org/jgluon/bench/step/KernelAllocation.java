package org.jgluon.bench.step;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.kernels.ActivationKernels;
import org.jgluon.engine.kernels.BroadcastKernels;
import org.jgluon.engine.kernels.Conv2dGeometry;
import org.jgluon.engine.kernels.Conv2dPasses;
import org.jgluon.engine.kernels.DropoutKernels;
import org.jgluon.engine.kernels.ElementwiseKernels;
import org.jgluon.engine.kernels.ReduceKernels;
import org.jgluon.engine.kernels.Sgemm;
import org.jgluon.engine.kernels.SoftmaxCrossEntropyKernels;
import org.jgluon.engine.kernels.SoftmaxKernels;
import org.jgluon.engine.ops.ConvOps;

/**
 * Bytes allocated per call of the Vector API kernels outside BatchNorm and pooling, once the JIT
 * has settled: the way to find which kernel boxes vectors (C2 failed to keep them in registers)
 * without a whole training step. Each kernel runs {@code calls} times untimed, then is measured
 * over as many calls; a kernel whose hot loop is compiled without boxing reports 0 B/call (a few
 * bytes can be the kernel's closure per parallel loop). A quick scan without JMH over the
 * element-wise, reduction and softmax kernels; the AlexNet kernels under JMH's {@code -prof gc}
 * (the check issue 6 names) are {@link org.jgluon.bench.alloc.KernelAllocBench}.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
 *       org.jgluon.bench.step.KernelAllocation [calls 200] [threads 2] [only names containing this]
 * </pre>
 */
public final class KernelAllocation {

    private KernelAllocation() {}

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Parallel.setThreads(args.length > 1 ? Integer.parseInt(args[1]) : 2);
        Map<String, Runnable> kernels = new LinkedHashMap<>();
        int n = 128 * 4096 + 5;
        float[] x = random(n), y = new float[n];
        kernels.put("dropout forward (128×4096+5)", () -> DropoutKernels.forward(x, 0, y, 0, n, 0.5f, 7));
        kernels.put("dropout backward accumulate", () -> DropoutKernels.backward(x, 0, y, 0, n, 0.5f, 7, true));
        // Dense layers at batch 128 (a quarter of AlexNet-BN's widths: the same code paths):
        // forward, weight gradient, data gradient; the odd shapes reach the 4-row and 1-row tiles
        // and the half-width edge panel.
        gemm(kernels, "dense fwd 128×1024 · (1024×576)ᵀ", false, true, 128, 1024, 576);
        gemm(kernels, "dense dW 1024×576 = dyᵀ·x", true, false, 1024, 576, 128);
        gemm(kernels, "dense dx 128×576 = dy·W", false, false, 128, 576, 1024);
        gemm(kernels, "tails 133×41×300 (tile4, tile1, half)", false, false, 133, 41, 300);
        gemm(kernels, "tails 17×1000×64 transposed", true, true, 17, 1000, 64);
        conv(kernels, "conv2 5×5 pad 2 on 8×96×10×10", Conv2dGeometry.of(8, 96, 10, 10, 256, 5, 5, 1, 1, 2, 2, 1, 1, 1));
        conv(kernels, "conv1 11×11/4 on 8×1×96×96", Conv2dGeometry.of(8, 1, 96, 96, 96, 11, 11, 4, 4, 0, 0, 1, 1, 1));
        conv(kernels, "conv 3×3 pad 1 on 8×256×4×4", Conv2dGeometry.of(8, 256, 4, 4, 384, 3, 3, 1, 1, 1, 1, 1, 1, 1));
        float[] z = random(n), d = new float[n];
        for (ActivationKernels.Kind kind : ActivationKernels.Kind.values()) {
            kernels.put("activation " + kind.mxName + " forward", () -> ActivationKernels.forward(kind, 0.1f, x, 0, y, 0, n));
            kernels.put("activation " + kind.mxName + " backward", () -> ActivationKernels.backward(kind, 0.1f, x, 0, y, 0, z, 0, d, 0, n, true));
        }
        for (ElementwiseKernels.Binary op : ElementwiseKernels.Binary.values()) {
            kernels.put("elementwise " + op, () -> ElementwiseKernels.binary(op, x, 0, z, 0, y, 0, n));
            kernels.put("elementwise " + op + " scalar", () -> ElementwiseKernels.binaryScalarRight(op, x, 0, 0.3f, y, 0, n));
        }
        for (ElementwiseKernels.Unary op : ElementwiseKernels.Unary.values()) {
            kernels.put("elementwise " + op, () -> ElementwiseKernels.unary(op, z, 0, y, 0, n));
        }
        kernels.put("elementwise addScaledInto", () -> ElementwiseKernels.addScaledInto(d, 0, x, 0, 0.5f, n));
        int[] big = {64, 64, 67}, row = {1, 64, 1}, out = {64, 64, 67};
        float[] bias = random(64);
        kernels.put("broadcast add (64,64,67)+(1,64,1)", () -> BroadcastKernels.binary(ElementwiseKernels.Binary.ADD, x, 0, big, bias, 0, row, y, 0, out));
        for (ReduceKernels.Reduce op : ReduceKernels.Reduce.values()) {
            kernels.put("reduce " + op + " axes 0,2 of (64,64,67)",
                    () -> ReduceKernels.reduce(op, x, 0, big, new boolean[] {true, false, true}, y, 0, 1));
            kernels.put("reduce " + op + " last axis of (64,64,67)",
                    () -> ReduceKernels.reduce(op, x, 0, big, new boolean[] {false, false, true}, y, 0, 1));
        }
        kernels.put("softmax forward (128, 1000)", () -> SoftmaxKernels.forward(x, 0, y, 0, 128, 1000, 1, false));
        kernels.put("softmax backward (128, 1000)", () -> SoftmaxKernels.backward(y, 0, z, 0, d, 0, 128, 1000, 1, false, true));
        kernels.put("log-softmax forward (128, 10, 67)", () -> SoftmaxKernels.forward(x, 0, y, 0, 128, 10, 67, true));
        float[] labels = new float[128], loss = new float[128], rowMax = new float[128], rowLogSum = new float[128];
        for (int i = 0; i < 128; i++) labels[i] = i % 10;
        kernels.put("softmax cross-entropy forward (128, 1000)",
                () -> SoftmaxCrossEntropyKernels.forward(x, 0, labels, 0, 128, 1000, loss, 0, rowMax, rowLogSum));
        kernels.put("softmax cross-entropy backward (128, 1000)",
                () -> SoftmaxCrossEntropyKernels.backward(x, 0, labels, 0, rowMax, rowLogSum, loss, 0, d, 0, 128, 1000, true));
        System.out.printf(Locale.ROOT, "%d calls after %d warm-up calls, %d threads%n", calls, calls, Parallel.threads());
        String only = args.length > 2 ? args[2] : "";
        for (Map.Entry<String, Runnable> e : kernels.entrySet()) {
            if (!e.getKey().contains(only)) continue;
            for (int i = 0; i < calls; i++) e.getValue().run();
            long b0 = StepMemory.allocatedBytes();
            for (int i = 0; i < calls; i++) e.getValue().run();
            double perCall = (StepMemory.allocatedBytes() - b0) / (double) calls;
            System.out.printf(Locale.ROOT, "%-45s %12.0f B/call%n", e.getKey(), perCall);
        }
    }

    private static void gemm(Map<String, Runnable> kernels, String name, boolean ta, boolean tb, int m, int n, int k) {
        float[] a = random(m * k), b = random(k * n), c = new float[m * n];
        int lda = ta ? m : k, ldb = tb ? k : n;
        kernels.put("sgemm " + name, () -> Sgemm.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n));
    }

    private static void conv(Map<String, Runnable> kernels, String name, Conv2dGeometry g) {
        float[] x = random(g.n() * g.c() * g.h() * g.w()), w = random(g.f() * g.colRows());
        float[] y = new float[g.n() * g.f() * g.outPixels()], dx = new float[x.length], dw = new float[w.length];
        boolean winograd = ConvOps.usesWinograd(g); // the path a network takes for this layer
        kernels.put(name + " forward", () -> Conv2dPasses.forward(winograd, g, x, 0, w, 0, null, 0, y, 0));
        kernels.put(name + " backward data", () -> Conv2dPasses.backwardData(winograd, g, y, 0, w, 0, dx, 0, true));
        kernels.put(name + " backward weights", () -> Conv2dPasses.backwardWeights(winograd, g, x, 0, y, 0, dw, 0, true));
    }

    private static float[] random(int n) {
        float[] v = new float[n];
        long s = 42;
        for (int i = 0; i < n; i++) {
            s = s * 6364136223846793005L + 1442695040888963407L;
            v[i] = (s >>> 40) / (float) (1 << 24) - 0.5f;
        }
        return v;
    }
}
