package org.jgluon.engine.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.function.Supplier;

import org.jgluon.engine.Shapes;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.kernels.ElementwiseKernels;
import org.jgluon.engine.memory.BufferPool;
import org.jgluon.engine.memory.Storage;

/**
 * MXNet's autograd. While recording is on, each op whose inputs require grad attaches a
 * {@link Node} (its inputs and backward closure) to its output; {@link #backward} walks the
 * graph reachable from the head in reverse topological order. The recording and train/predict
 * flags are per thread, as in MXNet (data-loading threads never record); the graph itself lives
 * with the tensors, so it survives the end of a {@code record} scope (the d2l loop calls
 * {@code backward()} after leaving it), several {@code record} scopes may feed one head, and a
 * graph nobody calls backward on is simply garbage-collected with its tensors.
 *
 * <p>Recording implies train mode unless told otherwise, which is what layers read through
 * {@link #isTraining()} (BatchNorm on batch statistics, Dropout on). A plain forward outside
 * {@code record} runs in predict mode.
 *
 * <p>{@code backward} frees the part of the graph it walked (MXNet's {@code retain_graph=False}):
 * its op outputs become constants, as in MXNet, so they may feed a new recording (as inputs that
 * need no gradient), and a second backward from them gets a clear error instead of silently zero
 * gradients.
 *
 * <p>Memory: intermediate gradients come from the {@code BufferPool} and go back as soon as the
 * op that produced the tensor has back-propagated; without {@code retain_graph}, so do the
 * arrays saved for backward ({@link #keepUntilBackward}) and the internal activations of blocks
 * (see {@code memory.Recycling}), each once the last recorded op that reads it is done. A
 * {@link BackwardFn} may therefore read only its op's inputs, its output and what it registered.
 */
public final class Autograd {

    /** The record of one op on its output: the inputs and the closure that back-propagates through it. */
    public static final class Node {
        private final String op;
        private final Tensor[] inputs;
        private final BackwardFn fn;
        private int[] savedInts; // e.g. max-pool winners; given back after this node's backward
        private float[][] savedFloats; // e.g. BatchNorm's per-channel statistics; likewise

        private Node(String op, Tensor[] inputs, BackwardFn fn) {
            this.op = op;
            this.inputs = inputs;
            this.fn = fn;
        }

        /** The op's name, for messages and debugging. */
        public String op() {
            return op;
        }
    }

    private static final class State {
        boolean recording;
        boolean training;
    }

    /** Marks an op output whose graph a backward has freed (for the error a second backward gets). */
    private static final Node FREED = new Node("freed by backward", new Tensor[0], g -> { });

    private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

    /** {@link Tensor#gradTarget()} lets the first store overwrite; off = zero, then add (the old way, for timing). */
    private static volatile boolean overwriteGradients =
            !"false".equalsIgnoreCase(System.getProperty("jgluon.grad.overwrite"));

    /** True when a backward's first store into a gradient overwrites it (the default; {@code -Djgluon.grad.overwrite=false}). */
    public static boolean overwriteGradients() {
        return overwriteGradients;
    }

    /** Switches overwriting first stores on or off at run time (old and new timed in one process; tests). */
    public static void setOverwriteGradients(boolean on) {
        overwriteGradients = on;
    }

    private Autograd() {}

    public static boolean isRecording() {
        return STATE.get().recording;
    }

    public static boolean isTraining() {
        return STATE.get().training;
    }

    /** Runs {@code body} recording, in train mode ({@code autograd.record()}). */
    public static <T> T record(Supplier<T> body) {
        return record(true, body);
    }

    /** Runs {@code body} recording, in train or predict mode ({@code autograd.record(train_mode=...)}). */
    public static <T> T record(boolean trainMode, Supplier<T> body) {
        return scope(true, trainMode, body);
    }

    /** Runs {@code body} with recording off ({@code autograd.pause()}), in predict mode unless told. */
    public static <T> T pause(boolean trainMode, Supplier<T> body) {
        return scope(false, trainMode, body);
    }

    /** Runs {@code body} in train mode without changing recording ({@code autograd.train_mode()}). */
    public static <T> T trainMode(Supplier<T> body) {
        return scope(STATE.get().recording, true, body);
    }

    /** Runs {@code body} in predict mode without changing recording ({@code autograd.predict_mode()}). */
    public static <T> T predictMode(Supplier<T> body) {
        return scope(STATE.get().recording, false, body);
    }

    private static <T> T scope(boolean recording, boolean training, Supplier<T> body) {
        State s = STATE.get();
        boolean wasRecording = s.recording, wasTraining = s.training;
        s.recording = recording;
        s.training = training;
        try {
            return body.get();
        } finally {
            s.recording = wasRecording;
            s.training = wasTraining;
        }
    }

    /**
     * Records an op whose forward has already run. Does nothing unless recording is on and one
     * of the inputs requires grad; then {@code output} requires grad too and carries the op's
     * {@link Node}. Inputs may be null (an absent bias). Returns {@code output} for chaining.
     */
    public static Tensor recordOp(String op, Tensor output, BackwardFn fn, Tensor... inputs) {
        if (!wouldRecord(inputs)) return output;
        for (Tensor in : inputs) {
            if (in == output) {
                // the output would become its own producer and lose the graph behind it
                throw new IllegalStateException("autograd: op '" + op + "' records one of its inputs as its output;"
                        + " an op must return a new tensor (a view is fine), or return the input unrecorded");
            }
        }
        output.markRequiresGrad();
        output.setNode(new Node(op, inputs, fn));
        return output;
    }

    /**
     * Registers {@code saved}, a pooled array the backward of {@code output}'s op reads, to be
     * given back to the {@code BufferPool} after that backward (without retain_graph); given back
     * at once when the op was not recorded.
     */
    public static void keepUntilBackward(Tensor output, int[] saved) {
        if (saved == null) return;
        Node n = output.node();
        if (n == null || n == FREED) BufferPool.give(saved);
        else n.savedInts = saved;
    }

    /**
     * As {@link #keepUntilBackward(Tensor, int[])} for float arrays (pooled ones go back to the
     * {@code BufferPool}, small ones are left to the GC): e.g. BatchNorm's per-channel statistics.
     */
    public static void keepUntilBackward(Tensor output, float[]... saved) {
        Node n = output.node();
        if (n == null || n == FREED) {
            for (float[] a : saved) BufferPool.give(a);
        } else {
            n.savedFloats = saved;
        }
    }

    /** True when {@link #recordOp} would record an op with these inputs: lets a kernel skip saving state. */
    public static boolean wouldRecord(Tensor... inputs) {
        if (!STATE.get().recording) return false;
        for (Tensor in : inputs) if (in != null && in.requiresGrad()) return true;
        return false;
    }

    /**
     * Back-propagates from {@code head} ({@code headGrad} null = ones). The leaves reached with
     * {@code grad_req='write'} are zeroed first, so a leaf used by several ops receives the sum
     * over all of them; {@code 'add'} leaves keep what they had. Afterwards the walked graph is
     * freed and the intermediate gradients dropped.
     */
    public static void backward(Tensor head, Tensor headGrad) {
        backward(head, headGrad, false);
    }

    /**
     * As {@link #backward(Tensor, Tensor)}; with {@code retainGraph} the graph is kept (MXNet's
     * {@code retain_graph=True}): a later backward may run through it again, and no activation
     * or saved array of it is given back.
     */
    public static void backward(Tensor head, Tensor headGrad, boolean retainGraph) {
        backward(List.of(head), headGrad == null ? null : List.of(headGrad), retainGraph);
    }

    /**
     * MXNet's {@code autograd.backward(heads, head_grads, retain_graph)}: back-propagates from
     * several heads in one pass, as from their sum (each head's gradient seeded with its head
     * gradient, null = ones), so a {@code 'write'} leaf reached from several heads gets the sum.
     */
    public static void backward(List<Tensor> heads, List<Tensor> headGrads, boolean retainGraph) {
        if (headGrads != null && headGrads.size() != heads.size()) {
            throw new IllegalArgumentException("backward: " + heads.size() + " heads but " + headGrads.size()
                    + " head gradients; give one per head (or none)");
        }
        List<Tensor> opHeads = new ArrayList<>();
        List<Tensor> opGrads = new ArrayList<>();
        List<Tensor> leafHeads = new ArrayList<>();
        List<Tensor> leafGrads = new ArrayList<>();
        for (int h = 0; h < heads.size(); h++) {
            Tensor head = heads.get(h);
            Tensor headGrad = headGrads == null ? null : headGrads.get(h);
            checkHead(head, headGrad);
            (head.node() == null ? leafHeads : opHeads).add(head);
            (head.node() == null ? leafGrads : opGrads).add(headGrad);
        }
        IdentityHashMap<Tensor, Boolean> zeroed = new IdentityHashMap<>();
        if (!opHeads.isEmpty()) {
            try {
                walk(opHeads, opGrads, retainGraph, zeroed);
            } finally {
                for (Tensor leaf : zeroed.keySet()) leaf.settleGrad(); // reached, but no op stored a gradient
            }
        }
        for (int h = 0; h < leafHeads.size(); h++) {
            // a leaf: its own gradient is the head gradient (added to what the walk gave it, if any)
            Tensor head = leafHeads.get(h), g = leafGrads.get(h);
            Tensor buf = head.gradBuffer();
            boolean add = head.gradReq() == GradReq.ADD || zeroed.containsKey(head);
            if (!add && head.gradReq() == GradReq.WRITE) zeroed.put(head, true);
            seedGradient(buf, g, add);
        }
    }

    private static void checkHead(Tensor head, Tensor headGrad) {
        if (!head.requiresGrad()) {
            if (head.node() == FREED) throw freed(head);
            throw new IllegalStateException("backward: this tensor " + head.shapeString()
                    + " is not part of a recorded computation. Compute it inside autograd.record(...)"
                    + " from inputs that called attach_grad() (parameters do this in initialize()).");
        }
        if (headGrad != null && !Shapes.same(headGrad.shape(), head.shape())) {
            throw new IllegalArgumentException("backward: head gradient " + headGrad.shapeString()
                    + " does not match the output " + head.shapeString());
        }
    }

    /**
     * {@code buf (+)= headGrad}, or ones where no head gradient was given: in SIMD, since a head
     * may be a whole activation (the breakdown's per-layer backward, {@code y.backward(dy)}).
     */
    private static void seedGradient(Tensor buf, Tensor headGrad, boolean add) {
        int n = buf.size();
        if (headGrad == null && !add) {
            buf.fill(1f);
        } else if (headGrad == null) {
            ElementwiseKernels.binaryScalarRight(ElementwiseKernels.Binary.ADD, buf.data(), buf.offset(), 1f,
                    buf.data(), buf.offset(), n);
        } else if (add) {
            ElementwiseKernels.addInto(buf.data(), buf.offset(), headGrad.data(), headGrad.offset(), n);
        } else {
            System.arraycopy(headGrad.data(), headGrad.offset(), buf.data(), buf.offset(), n);
        }
    }

    /** The graph walk of {@link #backward(List, List, boolean)} over the heads that are op outputs. */
    private static void walk(List<Tensor> heads, List<Tensor> headGrads, boolean retainGraph,
                             IdentityHashMap<Tensor, Boolean> zeroed) {
        List<Tensor> order = postOrder(heads);
        for (Tensor t : order) {
            for (Tensor in : t.node().inputs) {
                if (in == null || !in.requiresGrad() || in.node() != null) continue;
                // 'write' leaves restart from zero: the first store overwrites (gradTarget), or gradBuffer zeroes
                if (in.gradReq() == GradReq.WRITE && zeroed.put(in, true) == null) {
                    if (overwriteGradients) in.markGradStale();
                    else in.gradBuffer().fill(0f);
                }
            }
        }
        for (Tensor t : order) t.clearGrad();
        for (int h = 0; h < heads.size(); h++) {
            // after clearGrad the first seed writes, a repeated head adds (counts twice)
            GradTarget g = heads.get(h).gradTarget();
            seedGradient(g.buffer(), headGrads.get(h), g.accumulate());
        }
        IdentityHashMap<Storage, int[]> readers = retainGraph ? null : internalReaders(order);
        try {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Node node = t.node();
                Tensor outGrad = t.grad();
                if (outGrad != null) node.fn.backward(outGrad);
                t.clearGrad(); // consumed: the pooled buffer goes back for the next gradient
                if (!retainGraph) {
                    BufferPool.give(node.savedInts);
                    node.savedInts = null;
                    if (node.savedFloats != null) for (float[] a : node.savedFloats) BufferPool.give(a);
                    node.savedFloats = null;
                    doneReading(t, readers);
                }
            }
        } finally {
            for (Tensor t : order) {
                t.clearGrad();
                if (!retainGraph) {
                    t.setNode(FREED);
                    t.clearRequiresGrad();
                }
            }
        }
    }

    /**
     * For each internal activation array (see {@code memory.Recycling}) that the walked graph
     * reads, the number of walked nodes reading it, as output or input; backward gives the array
     * back when the count drops to zero: every op that needs it has back-propagated.
     */
    private static IdentityHashMap<Storage, int[]> internalReaders(List<Tensor> order) {
        IdentityHashMap<Storage, int[]> readers = new IdentityHashMap<>();
        for (Tensor t : order) forEachInternal(t, readers, Autograd::countReader);
        return readers;
    }

    private static void countReader(Storage s, Tensor reader, IdentityHashMap<Storage, int[]> readers) {
        readers.computeIfAbsent(s, k -> new int[1])[0]++;
    }

    private static void doneReading(Tensor t, IdentityHashMap<Storage, int[]> readers) {
        forEachInternal(t, readers, Autograd::readerDone);
    }

    private static void readerDone(Storage s, Tensor reader, IdentityHashMap<Storage, int[]> readers) {
        int[] left = readers.get(s);
        if (left != null && --left[0] == 0 && s.isInternal()) {
            s.release(s == reader.storage() ? "the output of '%s' inside a block, freed after backward"
                    : "an activation read by '%s' inside a block, freed after backward", reader.node().op());
        }
    }

    /** What {@link #forEachInternal} does with each storage: a method reference, so no closure per node. */
    @FunctionalInterface
    private interface StorageVisit {
        void visit(Storage s, Tensor reader, IdentityHashMap<Storage, int[]> readers);
    }

    /** The internal storages node {@code t} reads: its output's and its inputs'. */
    private static void forEachInternal(Tensor t, IdentityHashMap<Storage, int[]> readers, StorageVisit action) {
        Storage own = t.storage();
        if (own != null && own.isInternal()) action.visit(own, t, readers);
        for (Tensor in : t.node().inputs) {
            Storage s = in == null ? null : in.storage();
            if (s != null && s.isInternal()) action.visit(s, t, readers);
        }
    }

    private static IllegalStateException freed(Tensor t) {
        return new IllegalStateException("backward: the recorded computation of a tensor " + t.shapeString()
                + " is gone — backward was already called through it (each recorded computation supports"
                + " one backward). Compute it again inside autograd.record(...) before calling backward.");
    }

    /**
     * The op outputs reachable from the heads, each after all the op outputs it consumes
     * (depth-first post-order, iterative so that long chains cannot overflow the stack).
     * Walking it backwards visits every consumer before its producers.
     */
    private static List<Tensor> postOrder(List<Tensor> heads) {
        List<Tensor> order = new ArrayList<>();
        IdentityHashMap<Tensor, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Tensor> stack = new ArrayDeque<>();
        ArrayDeque<int[]> next = new ArrayDeque<>();
        for (Tensor head : heads) {
            if (seen.put(head, true) != null) continue;
            stack.push(head);
            next.push(new int[1]);
            postOrderFrom(stack, next, seen, order);
        }
        return order;
    }

    private static void postOrderFrom(ArrayDeque<Tensor> stack, ArrayDeque<int[]> next,
                                      IdentityHashMap<Tensor, Boolean> seen, List<Tensor> order) {
        while (!stack.isEmpty()) {
            Tensor t = stack.peek();
            int[] i = next.peek();
            Tensor[] inputs = t.node().inputs;
            if (i[0] < inputs.length) {
                Tensor in = inputs[i[0]++];
                if (in != null && in.requiresGrad() && in.node() != null && seen.put(in, true) == null) {
                    stack.push(in);
                    next.push(new int[1]);
                }
            } else {
                stack.pop();
                next.pop();
                order.add(t);
            }
        }
    }
}
