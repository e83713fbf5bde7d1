package org.jgluon.bench.step;

import java.util.concurrent.TimeUnit;
import org.jgluon.engine.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One whole AlexNet / AlexNet-BN training step and the predict-mode forward at batch 128 (issue 6).
 * The score, in ops/s, is images/s ({@link OperationsPerInvocation} = the batch of 128). A step at
 * 224 takes seconds, so iterations are long and few.
 *
 * <pre>
 *   ./jgluon bench jmh StepBench -p net=alexnet_bn -p res=96 -p threads=2 -f 1 -wi 2 -i 3
 *   ./jgluon bench jmh StepBench.infer -p res=224
 *   java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar StepBench -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx12g", "-XX:+UseParallelGC"})
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 10)
public class StepBench {

    static final int BATCH = 128;

    @Param({"alexnet", "alexnet_bn"})
    public String net;

    @Param({"224", "96", "67"})
    public int res;

    @Param({"2"})
    public int threads;

    private TrainingStep step;

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads);
        step = new TrainingStep(AlexNets.of(net), res, BATCH, 42);
        step.train(); // finishes the deferred parameter initialisation outside the timing
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public float train() {
        return step.train();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object infer() {
        return step.infer();
    }
}
