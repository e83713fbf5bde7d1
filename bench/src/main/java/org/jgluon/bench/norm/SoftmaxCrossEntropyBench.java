package org.jgluon.bench.norm;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.kernels.SoftmaxCrossEntropyKernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Softmax cross-entropy forward+backward (the fused gradient) on a batch of logits: 10 classes
 * (Fashion-MNIST) and 1000 (ImageNet). µs per step. {@code ./jgluon bench jmh SoftmaxCrossEntropyBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class SoftmaxCrossEntropyBench {

    @Param({"128,10", "128,1000"})
    public String shape;

    @Param({"2"})
    public int threads;

    private int n, c;
    private float[] logits, labels, loss, rowMax, rowLogSum, dloss, dx;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        String[] d = shape.split(",");
        n = Integer.parseInt(d[0].trim());
        c = Integer.parseInt(d[1].trim());
        Random r = new Random(1);
        logits = new float[n * c];
        for (int i = 0; i < logits.length; i++) logits[i] = 3 * (float) r.nextGaussian();
        labels = new float[n];
        for (int i = 0; i < n; i++) labels[i] = r.nextInt(c);
        loss = new float[n];
        rowMax = new float[n];
        rowLogSum = new float[n];
        dloss = new float[n];
        java.util.Arrays.fill(dloss, 1f / n);
        dx = new float[n * c];
    }

    @Benchmark
    public float step() {
        SoftmaxCrossEntropyKernels.forward(logits, 0, labels, 0, n, c, loss, 0, rowMax, rowLogSum);
        SoftmaxCrossEntropyKernels.backward(logits, 0, labels, 0, rowMax, rowLogSum, dloss, 0, dx, 0, n, c, false);
        return loss[0] + dx[0];
    }
}
